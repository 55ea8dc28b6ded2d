// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IJobEscrow
/// @notice Escrow for compute jobs paid by EIP-712 cumulative vouchers.
/// @dev Timeline of a job: open (budget locked) → the requester adds each provider it agrees with as a payee →
///      vouchers redeemed by or for payees until `deadline + redeemWindow` → the requester reclaims the unpaid
///      rest after that, or closes the job at once with every payee's signed Release (which also pays each
///      payee its released total), so a finished job's unspent budget — or all of a job that did no work —
///      comes back without waiting.
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

    /// @notice A payee's consent to close the job (EIP-712 typed data signed by `provider`): all it is owed
    ///         for the job is `cumulativeUnits` × the job's price, covering the receipts under `receiptsRoot`.
    /// @dev A payee that did no work releases 0 units with a zero root.
    struct Release {
        uint256 jobId;
        address provider;
        uint256 cumulativeUnits;
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
        uint32 payees;
    }

    /// @notice Budget or price is zero, or the budget does not fit in 128 bits.
    error InvalidTerms();
    /// @notice The deadline is not in the future.
    error DeadlineInPast(uint64 deadline);
    /// @notice No job has this id.
    error UnknownJob(uint256 jobId);
    /// @notice The job was reclaimed or settled and is closed.
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
    /// @notice The voucher or release names a provider the requester never added as a payee of the job.
    error NotPayee(address provider);
    /// @notice Payees can only be added until the job's deadline.
    error DeadlinePassed(uint64 deadline);
    /// @notice Closing needs exactly one release per payee: `payees` payees, `releases` releases given.
    error ReleaseCountMismatch(uint256 payees, uint256 releases);
    /// @notice Releases must be sorted by provider address, strictly ascending (so none is counted twice).
    error ReleasesNotSorted(address provider);
    /// @notice The release is for another job.
    error ReleaseJobMismatch(uint256 jobId);
    /// @notice The signature is not the provider's signature of this release.
    error InvalidReleaseSignature(address provider);
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
    /// @notice The requester agreed to pay `provider` on this job.
    event PayeeAdded(uint256 indexed jobId, address indexed provider);
    /// @notice Every payee released the job: it was closed before its deadline and `refund` went back.
    event JobSettled(uint256 indexed jobId, address indexed requester, uint256 refund, uint256 payees);
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

    /// @notice Adds providers the requester agreed with as payees of the job (already added ones are skipped).
    ///         Only payees can be paid, so a job can close early once every payee released it.
    /// @dev Only the requester, until the job's deadline.
    function addPayees(uint256 jobId, address[] calldata providers) external;

    /// @notice Whether `provider` is a payee of the job.
    function isPayee(uint256 jobId, address provider) external view returns (bool);

    /// @notice Closes an open job now: pays each payee what its release adds to what it redeemed, then returns
    ///         the rest of the budget to the requester. Needs one release per payee, sorted by provider.
    /// @dev Only the requester. A job with no payees (it did no work) closes with no releases: a full refund.
    /// @return refund Tokens returned to the requester.
    function closeJob(uint256 jobId, Release[] calldata releases, bytes[] calldata signatures)
        external
        returns (uint256 refund);

    /// @notice The EIP-712 digest a provider signs to release a job.
    function releaseDigest(Release calldata release) external view returns (bytes32);

    /// @notice Pays `voucher.provider` (a payee) the difference between this voucher and the last one redeemed
    ///         for (jobId, provider), and records the contribution. Anyone may call it.
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
