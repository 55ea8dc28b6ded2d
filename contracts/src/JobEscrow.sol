// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IJobEscrow} from "./interfaces/IJobEscrow.sol";

/// @title JobEscrow
/// @notice Locks a requester's budget per job and pays providers by cumulative vouchers the requester signed.
/// @dev A provider keeps only the latest voucher; redeeming it pays what earlier redemptions did not, so a
///      provider never depends on the requester being online. Rules:
///      - only payees (providers the requester added) are paid;
///      - redemptions are accepted until `deadline + redeemWindow`; the requester reclaims only after that,
///        or closes the job earlier with a signed release from every payee;
///      - a voucher must advance cumulativeUnits past the last redeemed one for (job, provider);
///      - cumulativeAmount must equal cumulativeUnits × pricePerUnit, and total payments never exceed budget;
///      - the fee (basis points, snapshotted when the job opens) is taken from each payment.
contract JobEscrow is IJobEscrow, EIP712, Ownable {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of Voucher.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(uint256 jobId,address provider,uint256 cumulativeUnits,uint256 cumulativeAmount,bytes32 receiptsRoot)"
    );
    /// @notice EIP-712 type hash of Release.
    bytes32 public constant RELEASE_TYPEHASH =
        keccak256("Release(uint256 jobId,address provider,uint256 cumulativeUnits,bytes32 receiptsRoot)");
    /// @notice Highest protocol fee: 10%.
    uint16 public constant MAX_FEE_BPS = 1_000;

    /// @notice The payment token.
    IERC20 public immutable token;
    /// @notice Seconds after a job's deadline during which vouchers can still be redeemed.
    uint64 public immutable redeemWindow;

    /// @notice Protocol fee in basis points for jobs opened from now on.
    uint16 public feeBps;
    /// @notice Receiver of protocol fees.
    address public treasury;
    /// @notice Number of jobs opened; job ids run from 1 to jobCount.
    uint256 public jobCount;

    struct Redemption {
        uint128 units;
        uint128 amount;
    }

    mapping(uint256 => Job) private _jobs;
    mapping(uint256 => mapping(address => Redemption)) private _redeemed;
    mapping(bytes32 => bool) private _roots;
    mapping(uint256 => mapping(address => bool)) private _payee;

    /// @param token_ Payment token.
    /// @param redeemWindow_ Seconds after a deadline during which vouchers stay redeemable.
    /// @param owner_ May set the protocol fee.
    constructor(IERC20 token_, uint64 redeemWindow_, address owner_) EIP712("MutiraoJobEscrow", "1") Ownable(owner_) {
        token = token_;
        redeemWindow = redeemWindow_;
    }

    /// @notice Sets the protocol fee for jobs opened from now on.
    /// @param feeBps_ Fee in basis points, at most MAX_FEE_BPS.
    /// @param treasury_ Receiver of fees; required when feeBps_ > 0.
    function setFee(uint16 feeBps_, address treasury_) external onlyOwner {
        if (feeBps_ > MAX_FEE_BPS || (feeBps_ != 0 && treasury_ == address(0))) revert InvalidFee(feeBps_);
        feeBps = feeBps_;
        treasury = treasury_;
        emit FeeChanged(feeBps_, treasury_);
    }

    /// @inheritdoc IJobEscrow
    function openJob(uint256 budget, uint256 pricePerUnit, uint64 deadline, bytes32 specHash)
        external
        returns (uint256 jobId)
    {
        return _open(budget, pricePerUnit, deadline, specHash);
    }

    /// @inheritdoc IJobEscrow
    function openJobWithPermit(
        uint256 budget,
        uint256 pricePerUnit,
        uint64 deadline,
        bytes32 specHash,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 jobId) {
        // A front-runner may have used the permit already; the transferFrom below still checks the allowance.
        try IERC20Permit(address(token)).permit(msg.sender, address(this), budget, permitDeadline, v, r, s) {} catch {}
        return _open(budget, pricePerUnit, deadline, specHash);
    }

    function _open(uint256 budget, uint256 pricePerUnit, uint64 deadline, bytes32 specHash)
        private
        returns (uint256 jobId)
    {
        if (budget == 0 || budget > type(uint128).max || pricePerUnit == 0 || pricePerUnit > budget) {
            revert InvalidTerms();
        }
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline);
        jobId = ++jobCount;
        _jobs[jobId] = Job({
            requester: msg.sender,
            deadline: deadline,
            feeBps: feeBps,
            closed: false,
            // forge-lint: disable-next-line(unsafe-typecast)
            budget: uint128(budget), // checked above
            paid: 0,
            pricePerUnit: pricePerUnit,
            payees: 0
        });
        token.safeTransferFrom(msg.sender, address(this), budget);
        emit JobOpened(jobId, msg.sender, budget, pricePerUnit, deadline, specHash);
    }

    /// @inheritdoc IJobEscrow
    function redeem(Voucher calldata voucher, bytes calldata signature) external returns (uint256 paid) {
        Job storage job = _jobs[voucher.jobId];
        address requester = job.requester;
        if (requester == address(0)) revert UnknownJob(voucher.jobId);
        if (job.closed) revert JobClosed(voucher.jobId);
        uint256 closesAt = uint256(job.deadline) + redeemWindow;
        if (block.timestamp > closesAt) revert RedeemWindowOver(voucher.jobId, closesAt);
        if (voucher.provider == address(0)) revert InvalidProvider();
        if (!_payee[voucher.jobId][voucher.provider]) revert NotPayee(voucher.provider);
        // pricePerUnit <= budget < 2^128, so units below 2^128 cannot overflow the product.
        if (voucher.cumulativeUnits > type(uint128).max) revert ExceedsBudget(job.budget, type(uint256).max);
        uint256 expected = voucher.cumulativeUnits * job.pricePerUnit;
        if (voucher.cumulativeAmount != expected) revert AmountMismatch(expected, voucher.cumulativeAmount);
        uint256 lastUnits = _redeemed[voucher.jobId][voucher.provider].units;
        if (voucher.cumulativeUnits <= lastUnits) revert StaleVoucher(lastUnits, voucher.cumulativeUnits);

        paid = _record(job, voucher.jobId, voucher.provider, voucher.cumulativeUnits, voucher.receiptsRoot);

        if (!SignatureChecker.isValidSignatureNowCalldata(requester, voucherDigest(voucher), signature)) {
            revert InvalidSignature();
        }
        _pay(job, voucher.provider, paid);
    }

    /// @dev Pays `amount` to `provider`, less the job's fee, which goes to the treasury.
    function _pay(Job storage job, address provider, uint256 amount) private {
        uint256 fee = amount * job.feeBps / 10_000;
        if (fee != 0) token.safeTransfer(treasury, fee);
        token.safeTransfer(provider, amount - fee);
    }

    /// @dev Records (job, provider)'s new cumulative units (checked by the caller to advance and to fit in
    ///      128 bits), keeps total payments within the budget, and returns the increase to pay.
    function _record(Job storage job, uint256 jobId, address provider, uint256 cumulativeUnits, bytes32 root)
        private
        returns (uint256 paid)
    {
        uint256 budget = job.budget;
        uint256 expected = cumulativeUnits * job.pricePerUnit;
        Redemption storage last = _redeemed[jobId][provider];
        uint256 lastUnits = last.units;
        paid = expected - last.amount;
        uint256 totalPaid = uint256(job.paid) + paid;
        if (totalPaid > budget) revert ExceedsBudget(budget, totalPaid);

        // expected <= totalPaid <= budget < 2^128: the casts below are exact.
        // forge-lint: disable-next-line(unsafe-typecast)
        last.units = uint128(cumulativeUnits);
        // forge-lint: disable-next-line(unsafe-typecast)
        last.amount = uint128(expected);
        // forge-lint: disable-next-line(unsafe-typecast)
        job.paid = uint128(totalPaid);
        _roots[_rootKey(jobId, provider, root)] = true;
        emit ContributionRecorded(jobId, provider, cumulativeUnits - lastUnits, paid, root, cumulativeUnits);
    }

    /// @inheritdoc IJobEscrow
    function addPayees(uint256 jobId, address[] calldata providers) external {
        Job storage job = _requesterJob(jobId);
        if (block.timestamp > job.deadline) revert DeadlinePassed(job.deadline);
        uint32 added;
        for (uint256 i; i < providers.length; ++i) {
            address p = providers[i];
            if (p == address(0)) revert InvalidProvider();
            if (_payee[jobId][p]) continue;
            _payee[jobId][p] = true;
            ++added;
            emit PayeeAdded(jobId, p);
        }
        job.payees += added;
    }

    /// @inheritdoc IJobEscrow
    function isPayee(uint256 jobId, address provider) external view returns (bool) {
        return _payee[jobId][provider];
    }

    /// @inheritdoc IJobEscrow
    function closeJob(uint256 jobId, Release[] calldata releases, bytes[] calldata signatures)
        external
        returns (uint256 refund)
    {
        Job storage job = _requesterJob(jobId);
        if (releases.length != job.payees || signatures.length != releases.length) {
            revert ReleaseCountMismatch(job.payees, releases.length);
        }
        address previous;
        for (uint256 i; i < releases.length; ++i) {
            Release calldata r = releases[i];
            // Strictly ascending providers: no payee counts twice, so n releases of n payees cover every one.
            if (r.provider <= previous) revert ReleasesNotSorted(r.provider);
            previous = r.provider;
            if (r.jobId != jobId) revert ReleaseJobMismatch(r.jobId);
            if (!_payee[jobId][r.provider]) revert NotPayee(r.provider);
            if (!SignatureChecker.isValidSignatureNowCalldata(r.provider, releaseDigest(r), signatures[i])) {
                revert InvalidReleaseSignature(r.provider);
            }
            if (r.cumulativeUnits > type(uint128).max) revert ExceedsBudget(job.budget, type(uint256).max);
            // A payee that redeemed as much already or more is owed nothing further.
            if (r.cumulativeUnits > _redeemed[jobId][r.provider].units) {
                _pay(job, r.provider, _record(job, jobId, r.provider, r.cumulativeUnits, r.receiptsRoot));
            }
        }
        job.closed = true;
        refund = uint256(job.budget) - job.paid;
        if (refund != 0) token.safeTransfer(msg.sender, refund);
        emit JobSettled(jobId, msg.sender, refund, releases.length);
    }

    /// @dev The open job `jobId`, whose requester must be the caller.
    function _requesterJob(uint256 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.requester == address(0)) revert UnknownJob(jobId);
        if (msg.sender != job.requester) revert NotRequester(msg.sender);
        if (job.closed) revert JobClosed(jobId);
    }

    /// @inheritdoc IJobEscrow
    function releaseDigest(Release calldata release) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    RELEASE_TYPEHASH, release.jobId, release.provider, release.cumulativeUnits, release.receiptsRoot
                )
            )
        );
    }

    /// @inheritdoc IJobEscrow
    function reclaim(uint256 jobId) external returns (uint256 amount) {
        Job storage job = _requesterJob(jobId);
        uint256 availableAt = uint256(job.deadline) + redeemWindow + 1;
        if (block.timestamp < availableAt) revert ReclaimTooEarly(availableAt);
        job.closed = true;
        amount = uint256(job.budget) - job.paid;
        if (amount != 0) token.safeTransfer(msg.sender, amount);
        emit JobReclaimed(jobId, msg.sender, amount);
    }

    /// @inheritdoc IJobEscrow
    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc IJobEscrow
    function redeemed(uint256 jobId, address provider) external view returns (uint256 units, uint256 amount) {
        Redemption storage r = _redeemed[jobId][provider];
        return (r.units, r.amount);
    }

    /// @inheritdoc IJobEscrow
    function voucherDigest(Voucher calldata voucher) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    VOUCHER_TYPEHASH,
                    voucher.jobId,
                    voucher.provider,
                    voucher.cumulativeUnits,
                    voucher.cumulativeAmount,
                    voucher.receiptsRoot
                )
            )
        );
    }

    /// @inheritdoc IJobEscrow
    function isRecordedRoot(uint256 jobId, address provider, bytes32 root) public view returns (bool) {
        return _roots[_rootKey(jobId, provider, root)];
    }

    /// @inheritdoc IJobEscrow
    function receiptLeaf(TaskReceipt calldata r) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(keccak256(abi.encode(r.jobId, r.taskId, r.provider, r.units, r.inputHash, r.outputHash)))
        );
    }

    /// @inheritdoc IJobEscrow
    function verifyReceipt(uint256 jobId, address provider, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        public
        view
        returns (bool)
    {
        return isRecordedRoot(jobId, provider, root) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IJobEscrow
    function verifyTaskReceipt(TaskReceipt calldata receipt, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return verifyReceipt(receipt.jobId, receipt.provider, root, receiptLeaf(receipt), proof);
    }

    function _rootKey(uint256 jobId, address provider, bytes32 root) private pure returns (bytes32) {
        return keccak256(abi.encode(jobId, provider, root));
    }
}
