// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IInferenceOracle
/// @notice A contract (or anyone) asks the network to run an ONNX model on an input; any staked provider may
///         answer with an EIP-712-signed, quantised output; the request finalises when `quorum` identical
///         answers arrive, pays those answerers and calls the requester back. Signed answers use the
///         DisputeResolver's TaskResult type, so a minority answer is dispute evidence as it stands.
interface IInferenceOracle {
    enum Status {
        None,
        Open,
        Finalized,
        NoConsensus,
        Expired
    }

    /// @notice One request. `specHash` = keccak256(abi.encode(modelHash, keccak256(input), decimals)) is what
    ///         answers sign as TaskResult.inputHash; `taskId` = keccak256(abi.encode(oracle, id)). The model
    ///         hash and the input are in the `Requested` event only, the final output in `Finalized` (and the
    ///         consumer's callback): storage holds what the contract itself needs.
    struct Request {
        address requester;
        Status status;
        uint8 quorum;
        uint8 maxAnswers;
        uint8 answers;
        uint8 decimals;
        uint64 deadline;
        uint32 callbackGas;
        uint256 fee;
        bytes32 specHash;
        bytes32 answer;
    }

    /// @notice Quorum must satisfy 1 <= quorum <= maxAnswers <= MAX_ANSWERS.
    error InvalidQuorum(uint256 quorum, uint256 maxAnswers);
    /// @notice The deadline is not in the future or further than MAX_TTL away.
    error InvalidDeadline(uint64 deadline);
    /// @notice Input or output larger than allowed, or empty.
    error InvalidSize(uint256 size, uint256 max);
    /// @notice Output decimals above MAX_DECIMALS, or callback gas above MAX_CALLBACK_GAS.
    error InvalidParameter();
    /// @notice The request is not in the state this call needs.
    error WrongStatus(uint256 id, Status status);
    /// @notice The request's deadline has passed (answers) or not yet passed (refunds).
    error OutsideWindow(uint256 id, uint64 deadline);
    /// @notice The answerer's stake is below the oracle's minimum.
    error StakeTooLow(address provider, uint256 stake);
    /// @notice The requester may not answer its own request.
    error RequesterCannotAnswer();
    /// @notice This provider has already answered this request.
    error AlreadyAnswered(uint256 id, address provider);
    /// @notice A signature does not recover to the provider it names.
    error BadSignature(address provider);
    /// @notice Too little gas left to give the consumer's callback what the requester asked for.
    error InsufficientCallbackGas(uint256 left, uint256 needed);
    /// @notice The two signed outputs are equal (no equivocation) or this equivocation was already slashed.
    error NotEquivocation();

    event Requested(
        uint256 indexed id,
        address indexed requester,
        bytes32 indexed modelHash,
        bytes32 inputHash,
        bytes input,
        uint8 decimals,
        uint8 quorum,
        uint8 maxAnswers,
        uint256 fee,
        uint64 deadline
    );
    event Answered(uint256 indexed id, address indexed provider, bytes32 outputHash, bytes signature);
    event Finalized(uint256 indexed id, bytes32 outputHash, bytes output, address[] paid, uint256 each);
    event CallbackFailed(uint256 indexed id, bytes reason);
    event NoConsensus(uint256 indexed id);
    event Expired(uint256 indexed id, uint256 refunded);
    event EquivocationSlashed(uint256 indexed id, address indexed provider, address reporter, uint256 slashed);

    /// @notice Posts a request and pulls `fee` from the caller. Returns the request id.
    function request(
        bytes32 modelHash,
        bytes calldata input,
        uint8 decimals,
        uint8 quorum,
        uint8 maxAnswers,
        uint256 fee,
        uint64 deadline,
        uint32 callbackGas
    ) external returns (uint256 id);

    /// @notice Submits `provider`'s signed answer (anyone may relay it).
    function answer(uint256 id, address provider, bytes calldata output, bytes calldata signature) external;

    /// @notice Refunds the fee of a request that missed its deadline.
    function refund(uint256 id) external;

    /// @notice Slashes a provider that signed two different outputs for one request; pays the reporter.
    function slashEquivocation(
        uint256 id,
        address provider,
        bytes32 outputA,
        bytes calldata sigA,
        bytes32 outputB,
        bytes calldata sigB
    ) external returns (uint256 slashed);

    /// @notice A request's parameters and state.
    function requestOf(uint256 id) external view returns (Request memory);

    /// @notice The TaskResult.taskId answers to request `id` sign.
    function taskIdOf(uint256 id) external view returns (bytes32);
}

/// @notice Implemented by contracts that post requests and want the answer pushed to them.
interface IInferenceConsumer {
    /// @notice Called once, when `quorum` identical answers arrived; `output` is abi.encode(int256[]).
    function onInferenceAnswer(uint256 id, bytes calldata output) external;
}
