// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IDisputeResolver
/// @notice On-chain consequences for outvoted results: a requester proves with EIP-712 signatures that a
///         provider's result for a task differs from a quorum's; part of the provider's stake is held, then
///         paid to the honest signers and burned — unless the accused appeals and randomly drawn staked
///         referees, re-executing the task, side with it.
interface IDisputeResolver {
    /// @notice A provider's EIP-712 signature over TaskResult(taskId, inputHash, outputHash).
    struct SignedResult {
        address provider;
        bytes32 outputHash;
        bytes signature;
    }

    enum Status {
        None,
        Open,
        Appealed,
        Upheld,
        Reversed
    }

    /// @notice A signature does not recover to the provider it names.
    error BadSignature(address provider);
    /// @notice Fewer quorum signers than MIN_QUORUM, a repeated signer, or the accused among them.
    error InvalidQuorum();
    /// @notice The quorum's outputs are not all equal, or equal the accused's output.
    error OutputsDoNotConflict();
    /// @notice The accused has no stake to slash.
    error NothingToSlash(address provider);
    /// @notice The dispute is not in the state this call needs.
    error WrongStatus(uint256 disputeId, Status status);
    /// @notice Too early or too late for this call.
    error OutsideWindow(uint256 disputeId);
    /// @notice Only the accused may appeal; only drawn referees may vote, once.
    error NotAllowed(address caller);
    /// @notice Not enough eligible referees are registered to draw a panel.
    error NotEnoughReferees(uint256 eligible);
    /// @notice The referee's stake is below MIN_REFEREE_STAKE.
    error StakeTooLow(uint256 stake);
    /// @notice The same task was already disputed against this provider.
    error AlreadyDisputed(bytes32 key);

    event Accused(uint256 indexed disputeId, address indexed accused, address indexed accuser, bytes32 taskId, uint256 held);
    event Appealed(uint256 indexed disputeId, address[] referees);
    event Voted(uint256 indexed disputeId, address indexed referee, bytes32 outputHash);
    event Resolved(uint256 indexed disputeId, Status status, uint256 rewarded, uint256 burned);

    /// @notice EIP-712 digest a provider signs for a result (also the format of InferenceOracle answers).
    function resultDigest(bytes32 taskId, bytes32 inputHash, bytes32 outputHash) external view returns (bytes32);

    /// @notice Accuse `accused.provider` of a wrong result for (taskId, inputHash); pulls DEPOSIT from the
    ///         caller and moves SLASH_BPS of the accused's stake into this contract until resolution.
    function accuse(bytes32 taskId, bytes32 inputHash, SignedResult calldata accused, SignedResult[] calldata quorum)
        external
        returns (uint256 disputeId);
    /// @notice The accused asks for re-execution by REFEREES referees drawn from the block hash.
    function appeal(uint256 disputeId) external;
    /// @notice A drawn referee reports the output hash it computed.
    function vote(uint256 disputeId, bytes32 outputHash) external;
    /// @notice Settle: after the appeal window (no appeal), or after all votes / the voting window.
    function resolve(uint256 disputeId) external;
    /// @notice Stakers of the registry sign up as referees.
    function registerReferee() external;
}
