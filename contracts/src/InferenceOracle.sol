// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {IDisputeResolver} from "./interfaces/IDisputeResolver.sol";
import {IInferenceOracle, IInferenceConsumer} from "./interfaces/IInferenceOracle.sol";

/// @title InferenceOracle
/// @notice Censorship-resistant inference for contracts. Anyone posts a request (model hash, input, output
///         decimals, quorum k of n answers, fee, deadline); any provider with at least `minStake` staked may
///         answer once with an EIP-712 TaskResult signature (DisputeResolver's domain); the first output to
///         reach k identical answers is final: the k answerers share the fee, the requester is called back.
///         n answers without k agreeing, or a missed deadline, refund the fee. Answers that disagree with the
///         final one are signed evidence for DisputeResolver.accuse; equivocation is slashed here directly.
/// @dev Holds SLASHER_ROLE on the registry (for equivocation only). Fees sit here only while requests are open.
contract InferenceOracle is IInferenceOracle {
    using SafeERC20 for IERC20;

    /// @notice Most answers a request may take (bounds the finalisation loop).
    uint256 public constant MAX_ANSWERS = 16;
    /// @notice Largest input and output, in bytes.
    uint256 public constant MAX_INPUT_BYTES = 8_192;
    uint256 public constant MAX_OUTPUT_BYTES = 2_048;
    /// @notice Largest output scale: answers are round(value * 10^decimals) as int256.
    uint8 public constant MAX_DECIMALS = 18;
    /// @notice Most gas a requester may ask for its callback.
    uint32 public constant MAX_CALLBACK_GAS = 2_000_000;
    /// @notice Longest time a request may stay open.
    uint64 public constant MAX_TTL = 30 days;
    /// @notice Share of an equivocating provider's stake slashed, and the reporter's share of it.
    uint256 public constant EQUIVOCATION_SLASH_BPS = 5_000;
    uint256 public constant REPORTER_BPS = 5_000;

    IERC20 public immutable token;
    IProviderRegistry public immutable registry;
    IDisputeResolver public immutable resolver;
    /// @notice Stake a provider needs to answer.
    uint256 public immutable minStake;

    uint256 public requestCount;
    mapping(uint256 => Request) private _requests;
    /// @notice The output hash `provider` answered to request `id` (zero: none).
    mapping(uint256 => mapping(address => bytes32)) public answerOf;
    mapping(uint256 => mapping(bytes32 => address[])) private _backers;
    mapping(bytes32 => bool) private _equivocationSlashed;

    constructor(IERC20 token_, IProviderRegistry registry_, IDisputeResolver resolver_, uint256 minStake_) {
        token = token_;
        registry = registry_;
        resolver = resolver_;
        minStake = minStake_;
    }

    /// @inheritdoc IInferenceOracle
    function request(
        bytes32 modelHash,
        bytes calldata input,
        uint8 decimals,
        uint8 quorum,
        uint8 maxAnswers,
        uint256 fee,
        uint64 deadline,
        uint32 callbackGas
    ) external returns (uint256 id) {
        if (quorum == 0 || quorum > maxAnswers || maxAnswers > MAX_ANSWERS) revert InvalidQuorum(quorum, maxAnswers);
        if (deadline <= block.timestamp || deadline > block.timestamp + MAX_TTL) revert InvalidDeadline(deadline);
        if (input.length == 0 || input.length > MAX_INPUT_BYTES) revert InvalidSize(input.length, MAX_INPUT_BYTES);
        if (decimals > MAX_DECIMALS || callbackGas > MAX_CALLBACK_GAS) revert InvalidParameter();
        id = ++requestCount;
        bytes32 inputHash = keccak256(input);
        Request storage r = _requests[id];
        r.requester = msg.sender;
        r.status = Status.Open;
        r.quorum = quorum;
        r.maxAnswers = maxAnswers;
        r.decimals = decimals;
        r.deadline = deadline;
        r.callbackGas = callbackGas;
        r.fee = fee;
        r.specHash = keccak256(abi.encode(modelHash, inputHash, decimals));
        if (fee != 0) token.safeTransferFrom(msg.sender, address(this), fee);
        emit Requested(id, msg.sender, modelHash, inputHash, input, decimals, quorum, maxAnswers, fee, deadline);
    }

    /// @inheritdoc IInferenceOracle
    function answer(uint256 id, address provider, bytes calldata output, bytes calldata signature) external {
        Request storage r = _requests[id];
        if (r.status != Status.Open) revert WrongStatus(id, r.status);
        if (block.timestamp > r.deadline) revert OutsideWindow(id, r.deadline);
        if (provider == r.requester) revert RequesterCannotAnswer();
        if (answerOf[id][provider] != bytes32(0)) revert AlreadyAnswered(id, provider);
        if (output.length == 0 || output.length > MAX_OUTPUT_BYTES) {
            revert InvalidSize(output.length, MAX_OUTPUT_BYTES);
        }
        uint256 s = registry.stakeOf(provider);
        if (s < minStake || s == 0) revert StakeTooLow(provider, s);
        bytes32 outputHash = keccak256(output);
        _checkSignature(id, r.specHash, provider, outputHash, signature);

        answerOf[id][provider] = outputHash;
        address[] storage backers = _backers[id][outputHash];
        backers.push(provider);
        uint8 count = ++r.answers;
        emit Answered(id, provider, outputHash, signature);
        if (backers.length == r.quorum) _finalize(id, r, outputHash, output, backers);
        else if (count == r.maxAnswers) _noConsensus(id, r);
    }

    /// @dev Pays the backers of the final output, refunds the rounding remainder, then calls the requester back.
    function _finalize(uint256 id, Request storage r, bytes32 outputHash, bytes calldata output, address[] storage backers)
        private
    {
        r.status = Status.Finalized;
        r.answer = outputHash;
        uint256 n = backers.length;
        uint256 each = r.fee / n;
        address[] memory paid = backers;
        address requester = r.requester;
        uint32 callbackGas = r.callbackGas;
        for (uint256 i; i < n; ++i) if (each != 0) token.safeTransfer(paid[i], each);
        uint256 dust = r.fee - each * n;
        if (dust != 0) token.safeTransfer(requester, dust);
        emit Finalized(id, outputHash, output, paid, each);
        if (requester.code.length == 0 || callbackGas == 0) return;
        // A relayer must not be able to starve the callback (EIP-150 passes on at most 63/64 of what is left).
        uint256 needed = uint256(callbackGas) + uint256(callbackGas) / 63 + 10_000;
        if (gasleft() < needed) revert InsufficientCallbackGas(gasleft(), needed);
        try IInferenceConsumer(requester).onInferenceAnswer{gas: callbackGas}(id, output) {}
        catch (bytes memory reason) {
            emit CallbackFailed(id, reason);
        }
    }

    function _noConsensus(uint256 id, Request storage r) private {
        r.status = Status.NoConsensus;
        uint256 fee = r.fee;
        if (fee != 0) token.safeTransfer(r.requester, fee);
        emit NoConsensus(id);
    }

    /// @inheritdoc IInferenceOracle
    function refund(uint256 id) external {
        Request storage r = _requests[id];
        if (r.status != Status.Open) revert WrongStatus(id, r.status);
        if (block.timestamp <= r.deadline) revert OutsideWindow(id, r.deadline);
        r.status = Status.Expired;
        uint256 fee = r.fee;
        if (fee != 0) token.safeTransfer(r.requester, fee);
        emit Expired(id, fee);
    }

    /// @inheritdoc IInferenceOracle
    function slashEquivocation(
        uint256 id,
        address provider,
        bytes32 outputA,
        bytes calldata sigA,
        bytes32 outputB,
        bytes calldata sigB
    ) external returns (uint256 slashed) {
        Request storage r = _requests[id];
        if (r.status == Status.None) revert WrongStatus(id, r.status);
        bytes32 key = keccak256(abi.encode(id, provider));
        if (outputA == outputB || _equivocationSlashed[key]) revert NotEquivocation();
        _checkSignature(id, r.specHash, provider, outputA, sigA);
        _checkSignature(id, r.specHash, provider, outputB, sigB);
        _equivocationSlashed[key] = true;
        address[] memory reporter = new address[](1);
        reporter[0] = msg.sender;
        uint256 amount = registry.stakeOf(provider) * EQUIVOCATION_SLASH_BPS / 10_000;
        slashed = registry.slash(provider, amount, reporter, REPORTER_BPS);
        emit EquivocationSlashed(id, provider, msg.sender, slashed);
    }

    function _checkSignature(uint256 id, bytes32 specHash, address provider, bytes32 outputHash, bytes calldata sig)
        private
        view
    {
        bytes32 digest = resolver.resultDigest(taskIdOf(id), specHash, outputHash);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, sig);
        if (err != ECDSA.RecoverError.NoError || signer != provider) revert BadSignature(provider);
    }

    /// @inheritdoc IInferenceOracle
    function requestOf(uint256 id) external view returns (Request memory) {
        return _requests[id];
    }

    /// @inheritdoc IInferenceOracle
    function taskIdOf(uint256 id) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), id));
    }

    /// @notice Providers that answered `outputHash` to request `id`, in order.
    function backersOf(uint256 id, bytes32 outputHash) external view returns (address[] memory) {
        return _backers[id][outputHash];
    }
}
