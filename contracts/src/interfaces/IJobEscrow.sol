// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IJobEscrow
/// @notice Escrow for compute jobs paid by EIP-712 cumulative vouchers.
/// @dev Timeline of a job: open (budget locked) → vouchers redeemed by or for providers until
///      `deadline + redeemWindow` → after that, the requester reclaims the unpaid rest and the job is closed.
interface IJobEscrow {
    /// @notice A payment promise signed by the job's requester (EIP-712 typed data).
    /// @param jobId The escrow job.
    /// @param provider Who is paid.
    /// @param cumulativeUnits All work units accepted from this provider on this job so far.
    /// @param cumulativeAmount cumulativeUnits × the job's pricePerUnit.
    /// @param receiptsRoot Merkle root (OpenZeppelin StandardMerkleTree) of all task receipts covered.
    struct Voucher {
        uint256 jobId;
        address provider;
        uint256 cumulativeUnits;
        uint256 cumulativeAmount;
        bytes32 receiptsRoot;
    }

    /// @notice One verified task, a leaf of a voucher's receipts tree.
    /// @dev Leaf = keccak256(bytes.concat(keccak256(abi.encode(jobId, taskId, provider, units, inputHash, outputHash)))).
    struct TaskReceipt {
        uint256 jobId;
        bytes32 taskId;
        address provider;
        uint256 units;
        bytes32 inputHash;
        bytes32 outputHash;
    }

    /// @notice Stored state of a job.
    struct Job {
        address requester;
        uint64 deadline;
        uint16 feeBps;
        bool closed;
        uint128 budget;
        uint128 paid;
        uint256 pricePerUnit;
    }

    /// @notice Budget or price is zero, or the budget does not fit in 128 bits.
    error InvalidTerms();
    /// @notice The deadline is not in the future.
    error DeadlineInPast(uint64 deadline);
    /// @notice No job has this id.
    error UnknownJob(uint256 jobId);
    /// @notice The job was reclaimed and is closed.
    error JobClosed(uint256 jobId);
    /// @notice The redemption window (deadline + redeemWindow) has passed.
    error RedeemWindowOver(uint256 jobId, uint256 closesAt);
    /// @notice The voucher is for the zero address.
    error InvalidProvider();
    /// @notice cumulativeAmount is not cumulativeUnits × pricePerUnit.
    error AmountMismatch(uint256 expected, uint256 actual);
    /// @notice The signature is not the job requester's signature of this voucher.
    error InvalidSignature();
    /// @notice The voucher does not advance past the last redeemed one (older, equal or replayed).
    error StaleVoucher(uint256 redeemedUnits, uint256 voucherUnits);
    /// @notice Paying the voucher would take the job's total payments above its budget.
    error ExceedsBudget(uint256 budget, uint256 wouldPay);
    /// @notice Only the job's requester may do this.
    error NotRequester(address caller);
    /// @notice Reclaim is only possible after deadline + redeemWindow.
    error ReclaimTooEarly(uint256 availableAt);
    /// @notice Fee above MAX_FEE_BPS or a fee without a treasury.
    error InvalidFee(uint256 feeBps);

    /// @notice A requester opened job `jobId` and locked `budget` tokens.
    event JobOpened(
        uint256 indexed jobId,
        address indexed requester,
        uint256 budget,
        uint256 pricePerUnit,
        uint64 deadline,
        bytes32 specHash
    );
    /// @notice A voucher was redeemed: `units`/`amount` are the increase over the last redeemed voucher.
    event ContributionRecorded(
        uint256 indexed jobId,
        address indexed provider,
        uint256 units,
        uint256 amount,
        bytes32 receiptsRoot,
        uint256 cumulativeUnits
    );
    /// @notice The requester took back `amount`, the unpaid rest of the job's budget.
    event JobReclaimed(uint256 indexed jobId, address indexed requester, uint256 amount);
    /// @notice The protocol fee for jobs opened from now on changed.
    event FeeChanged(uint16 feeBps, address treasury);

    /// @notice Opens a job, pulling `budget` tokens from the caller (approve first).
    /// @param budget Tokens locked for the job.
    /// @param pricePerUnit Tokens per accepted work unit.
    /// @param deadline Last second of work; redemptions stay open for redeemWindow after it.
    /// @param specHash Free reference to the job specification / agreement (not interpreted).
    function openJob(uint256 budget, uint256 pricePerUnit, uint64 deadline, bytes32 specHash)
        external
        returns (uint256 jobId);

    /// @notice openJob with an EIP-2612 permit instead of a prior approve.
    function openJobWithPermit(
        uint256 budget,
        uint256 pricePerUnit,
        uint64 deadline,
        bytes32 specHash,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 jobId);

    /// @notice Pays `voucher.provider` the difference between this voucher and the last one redeemed for
    ///         (jobId, provider), and records the contribution. Anyone may call it.
    /// @return paid Tokens paid for this redemption (before the protocol fee).
    function redeem(Voucher calldata voucher, bytes calldata signature) external returns (uint256 paid);

    /// @notice Returns the unpaid rest of the budget to the requester and closes the job.
    function reclaim(uint256 jobId) external returns (uint256 amount);

    /// @notice The stored job.
    function getJob(uint256 jobId) external view returns (Job memory);
    /// @notice Units and amount last redeemed for (jobId, provider).
    function redeemed(uint256 jobId, address provider) external view returns (uint256 units, uint256 amount);
    /// @notice EIP-712 digest that the requester signs for `voucher`.
    function voucherDigest(Voucher calldata voucher) external view returns (bytes32);
    /// @notice Whether `root` was recorded by a redemption for (jobId, provider).
    function isRecordedRoot(uint256 jobId, address provider, bytes32 root) external view returns (bool);
    /// @notice StandardMerkleTree leaf of a task receipt.
    function receiptLeaf(TaskReceipt calldata receipt) external pure returns (bytes32);
    /// @notice True if `leaf` is in the tree of a recorded root for (jobId, provider).
    function verifyReceipt(uint256 jobId, address provider, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool);
    /// @notice True if `receipt` is in the tree of `root` and `root` was recorded for its (jobId, provider).
    function verifyTaskReceipt(TaskReceipt calldata receipt, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
