// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IInferenceOracle, IInferenceConsumer} from "../interfaces/IInferenceOracle.sol";

/// @title RiskAdjustedLending
/// @notice Example consumer of the InferenceOracle (examples/defi-oracle): a lending pool whose collateral
///         factor follows a risk model's answer. Anyone may ask for an update (paying the oracle fee) with the
///         market features as input; when `quorum` staked providers agree, the oracle calls back and the
///         factor moves between MIN_FACTOR_BPS (risk 1) and MAX_FACTOR_BPS (risk 0). Nobody, not even the
///         owner, can set the factor by hand: it changes only through the oracle.
/// @dev The model's answer is abi.encode(int256[]) at 6 decimals; its last value is the risk in [0, 1]
///      (for a classifier: the probability of the risky class, the last of its outputs in name order).
contract RiskAdjustedLending is IInferenceConsumer {
    using SafeERC20 for IERC20;

    uint16 public constant MAX_FACTOR_BPS = 8_000;
    uint16 public constant MIN_FACTOR_BPS = 2_000;
    uint8 public constant DECIMALS = 6;
    int256 internal constant ONE = 1e6;

    IInferenceOracle public immutable oracle;
    IERC20 public immutable token;
    bytes32 public immutable modelHash;
    uint8 public immutable quorum;
    uint8 public immutable maxAnswers;

    /// @notice Share of collateral value that may be borrowed, in basis points.
    uint16 public collateralFactorBps = MIN_FACTOR_BPS;
    /// @notice The oracle request whose answer is awaited (0: none).
    uint256 public pendingRequest;
    /// @notice The last risk answer, in millionths.
    int256 public lastRiskPpm;

    /// @notice Only the oracle may call back, and only for the awaited request.
    error NotOracle(address caller);
    error UnexpectedRequest(uint256 id);
    /// @notice An update is already awaited.
    error UpdatePending(uint256 id);
    /// @notice The answer has no values.
    error EmptyAnswer();

    event UpdateRequested(uint256 indexed requestId, address indexed by, uint256 fee);
    event CollateralFactorUpdated(uint256 indexed requestId, int256 riskPpm, uint16 factorBps);

    constructor(IInferenceOracle oracle_, bytes32 modelHash_, uint8 quorum_, uint8 maxAnswers_) {
        oracle = oracle_;
        token = InferenceTokenOf(address(oracle_)).token();
        modelHash = modelHash_;
        quorum = quorum_;
        maxAnswers = maxAnswers_;
    }

    /// @notice Ask the oracle for a fresh risk answer on `input` (the market features, Mutirão tensor
    ///         encoding); the caller pays `fee`. A request that misses its deadline frees the slot again
    ///         (call `clearExpired`).
    function requestUpdate(bytes calldata input, uint256 fee, uint64 ttl) external returns (uint256 id) {
        if (pendingRequest != 0) revert UpdatePending(pendingRequest);
        token.safeTransferFrom(msg.sender, address(this), fee);
        token.forceApprove(address(oracle), fee);
        id = oracle.request(modelHash, input, DECIMALS, quorum, maxAnswers, fee, uint64(block.timestamp) + ttl, 150_000);
        pendingRequest = id;
        emit UpdateRequested(id, msg.sender, fee);
    }

    /// @notice Frees the slot of a request that ended without an answer (expired or no consensus).
    function clearExpired() external {
        uint256 id = pendingRequest;
        IInferenceOracle.Status s = oracle.requestOf(id).status;
        if (s == IInferenceOracle.Status.Open && block.timestamp > oracle.requestOf(id).deadline) oracle.refund(id);
        s = oracle.requestOf(id).status;
        if (s == IInferenceOracle.Status.Expired || s == IInferenceOracle.Status.NoConsensus) pendingRequest = 0;
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceAnswer(uint256 id, bytes calldata output) external {
        if (msg.sender != address(oracle)) revert NotOracle(msg.sender);
        if (id != pendingRequest) revert UnexpectedRequest(id);
        int256[] memory values = abi.decode(output, (int256[]));
        if (values.length == 0) revert EmptyAnswer();
        int256 risk = values[values.length - 1];
        if (risk < 0) risk = 0;
        if (risk > ONE) risk = ONE;
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 r = uint256(risk); // safe: 0 <= risk <= ONE
        // forge-lint: disable-next-line(unsafe-typecast)
        uint16 factor = uint16(MAX_FACTOR_BPS - r * (MAX_FACTOR_BPS - MIN_FACTOR_BPS) / uint256(ONE)); // safe: <= MAX
        collateralFactorBps = factor;
        lastRiskPpm = risk;
        pendingRequest = 0;
        emit CollateralFactorUpdated(id, risk, factor);
    }

    /// @notice Most that may be borrowed against `collateralValue` at the current factor.
    function maxBorrow(uint256 collateralValue) external view returns (uint256) {
        return collateralValue * collateralFactorBps / 10_000;
    }
}

/// @dev The oracle's public `token()` getter.
interface InferenceTokenOf {
    function token() external view returns (IERC20);
}
