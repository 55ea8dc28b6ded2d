// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";

/// @notice Drives JobEscrow with random opens (each with a random set of payees), redemptions, replays, forged
///         vouchers, early closes (some with a release missing or forged) and reclaims, keeping ghost totals that
///         the invariants compare with the chain.
contract EscrowHandler is Test {
    MutiraoToken internal immutable token;
    JobEscrow internal immutable escrow;
    address internal immutable minter;

    uint256[3] internal requesterKeys = [uint256(0xA1), 0xA2, 0xA3];
    uint256[3] internal providerKeys = [uint256(0xB1), 0xB2, 0xB3];
    address[3] public providers = [vm.addr(0xB1), vm.addr(0xB2), vm.addr(0xB3)];
    address public constant TREASURY = address(0x7EA);

    uint256 public ghostMinted;
    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public ghostReclaimed;
    /// @notice Payments that must never happen: stale, forged, to a non-payee, or an incomplete close.
    uint256 public ghostDoublePays;
    uint256 public ghostCloses;
    uint256 public ghostRedemptions;
    uint256[] public jobIds;
    mapping(uint256 => mapping(address => uint256)) public ghostPaidTo;

    constructor(MutiraoToken token_, JobEscrow escrow_, address minter_) {
        token = token_;
        escrow = escrow_;
        minter = minter_;
    }

    /// @notice Number of jobs opened so far.
    function jobCount() external view returns (uint256) {
        return jobIds.length;
    }

    /// @notice A random requester opens a job and adds a random subset of the providers as payees.
    function open(uint256 who, uint256 units, uint256 price, uint32 ttl, uint8 payeeMask) external {
        address requester = vm.addr(requesterKeys[who % 3]);
        price = bound(price, 1, 1e18);
        uint256 budget = bound(units, 1, 10_000) * price;
        vm.prank(minter);
        token.mint(requester, budget);
        ghostMinted += budget;
        vm.startPrank(requester);
        token.approve(address(escrow), budget);
        uint256 jobId = escrow.openJob(budget, price, uint64(block.timestamp + bound(ttl, 3 days, 30 days)), 0);
        jobIds.push(jobId);
        address[] memory payees = new address[](3);
        uint256 n;
        for (uint256 i; i < 3; ++i) {
            if (payeeMask & (1 << i) != 0) payees[n++] = providers[i];
        }
        assembly ("memory-safe") {
            mstore(payees, n)
        }
        escrow.addPayees(jobId, payees);
        vm.stopPrank();
        ghostDeposited += budget;
    }

    /// @notice Redeems a voucher advancing a random (job, provider), signed by the requester
    ///         or (one call in eight) by a stranger.
    function redeem(uint256 jobSeed, uint256 provSeed, uint256 addUnits, uint8 forgeSeed) external {
        if (jobIds.length == 0) return;
        uint256 jobId = jobIds[jobSeed % jobIds.length];
        address provider = providers[provSeed % 3];
        bool forge = forgeSeed % 8 == 0;
        (IJobEscrow.Voucher memory v, bool stale) = _nextVoucher(jobId, provider, addUnits);
        uint256 key = forge ? 0xDEAD : _keyOf(escrow.getJob(jobId).requester);
        (uint8 sv, bytes32 r, bytes32 s) = vm.sign(key, escrow.voucherDigest(v));
        uint256 before = token.balanceOf(provider) + token.balanceOf(TREASURY);
        try escrow.redeem(v, abi.encodePacked(r, s, sv)) returns (uint256 paid) {
            if (forge || stale || !escrow.isPayee(jobId, provider)) ghostDoublePays++;
            ghostRedemptions++;
            ghostPaid += paid;
            ghostPaidTo[jobId][provider] += paid;
            assertEq(token.balanceOf(provider) + token.balanceOf(TREASURY) - before, paid);
        } catch {}
    }

    function _nextVoucher(uint256 jobId, address provider, uint256 addUnits)
        internal
        view
        returns (IJobEscrow.Voucher memory v, bool stale)
    {
        IJobEscrow.Job memory job = escrow.getJob(jobId);
        (uint256 units,) = escrow.redeemed(jobId, provider);
        uint256 left = (job.budget - job.paid) / job.pricePerUnit;
        // Mostly vouchers that fit the budget; one in sixteen tries to go over it.
        uint256 next = units + (addUnits % 16 == 0 || left == 0 ? left + 1 : bound(addUnits, 1, left));
        v = IJobEscrow.Voucher(jobId, provider, next, next * job.pricePerUnit, 0);
        stale = next <= units;
    }

    /// @notice Replays the last redeemed voucher for a random (job, provider); must never pay.
    function replay(uint256 jobSeed, uint256 provSeed) external {
        if (jobIds.length == 0) return;
        uint256 jobId = jobIds[jobSeed % jobIds.length];
        address provider = providers[provSeed % 3];
        IJobEscrow.Job memory job = escrow.getJob(jobId);
        (uint256 units, uint256 amount) = escrow.redeemed(jobId, provider);
        IJobEscrow.Voucher memory v = IJobEscrow.Voucher(jobId, provider, units, amount, 0);
        (uint8 sv, bytes32 r, bytes32 s) = vm.sign(_keyOf(job.requester), escrow.voucherDigest(v));
        try escrow.redeem(v, abi.encodePacked(r, s, sv)) {
            ghostDoublePays++;
        } catch {}
    }

    /// @notice The requester of a random job closes it early with releases of every payee (its redeemed units
    ///         plus a random amount); one call in eight leaves a payee out or has one forged: that must revert.
    function close(uint256 jobSeed, uint256 addUnits, uint8 faultSeed) external {
        if (jobIds.length == 0) return;
        uint256 jobId = jobIds[jobSeed % jobIds.length];
        IJobEscrow.Job memory job = escrow.getJob(jobId);
        uint8 fault = faultSeed % 16; // 0: leave one out, 1: forge one
        (IJobEscrow.Release[] memory rel, bytes[] memory sig, uint256[3] memory before) =
            _releases(jobId, job, addUnits, fault);
        address[3] memory ps = _sortedProviders();
        uint256 balanceBefore = token.balanceOf(address(escrow));
        vm.prank(job.requester);
        try escrow.closeJob(jobId, rel, sig) returns (uint256 refund) {
            if (fault <= 1 && job.payees > 0) ghostDoublePays++;
            ghostCloses++;
            ghostReclaimed += refund;
            for (uint256 i; i < 3; ++i) {
                (, uint256 amount) = escrow.redeemed(jobId, ps[i]);
                ghostPaidTo[jobId][ps[i]] += amount - before[i];
                ghostPaid += amount - before[i];
            }
            assertEq(balanceBefore - token.balanceOf(address(escrow)), escrow.getJob(jobId).budget - job.paid);
        } catch {}
    }

    /// @dev Releases of the job's payees in ascending provider order, each its redeemed units plus a random
    ///      extra; `fault` 0 leaves the last one out, 1 signs them with a stranger's key. `before` holds each
    ///      sorted provider's redeemed amount.
    function _releases(uint256 jobId, IJobEscrow.Job memory job, uint256 addUnits, uint8 fault)
        internal
        returns (IJobEscrow.Release[] memory rel, bytes[] memory sig, uint256[3] memory before)
    {
        uint256 n = job.payees;
        if (fault == 0 && n > 0) n--;
        rel = new IJobEscrow.Release[](n);
        sig = new bytes[](n);
        uint256 left = (job.budget - job.paid) / job.pricePerUnit;
        address[3] memory ps = _sortedProviders();
        uint256 k;
        for (uint256 i; i < 3 && k < n; ++i) {
            if (!escrow.isPayee(jobId, ps[i])) continue;
            uint256 units;
            (units, before[i]) = escrow.redeemed(jobId, ps[i]);
            uint256 extra = left == 0 ? 0 : bound(addUnits >> (i * 16), 0, left / 3);
            rel[k] = IJobEscrow.Release(jobId, ps[i], units + extra, bytes32(extra));
            sig[k] = _signRelease(rel[k], fault == 1);
            k++;
        }
        for (uint256 i; i < 3; ++i) {
            if (!escrow.isPayee(jobId, ps[i])) (, before[i]) = escrow.redeemed(jobId, ps[i]);
        }
    }

    function _signRelease(IJobEscrow.Release memory rel, bool forge) internal view returns (bytes memory) {
        (uint8 sv, bytes32 r, bytes32 s) =
            vm.sign(forge ? 0xDEAD : _providerKeyOf(rel.provider), escrow.releaseDigest(rel));
        return abi.encodePacked(r, s, sv);
    }

    function _sortedProviders() internal view returns (address[3] memory ps) {
        ps = providers;
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && ps[j - 1] > ps[j]; --j) {
                (ps[j - 1], ps[j]) = (ps[j], ps[j - 1]);
            }
        }
    }

    function _providerKeyOf(address p) internal view returns (uint256) {
        for (uint256 i; i < 3; ++i) {
            if (providers[i] == p) return providerKeys[i];
        }
        revert("unknown provider");
    }

    /// @notice Moves time forward and lets a random job's requester try to reclaim.
    function reclaim(uint256 jobSeed, uint32 wait) external {
        if (jobIds.length == 0) return;
        vm.warp(block.timestamp + bound(wait, 0, 1 days));
        uint256 jobId = jobIds[jobSeed % jobIds.length];
        vm.prank(escrow.getJob(jobId).requester);
        try escrow.reclaim(jobId) returns (uint256 amount) {
            ghostReclaimed += amount;
        } catch {}
    }

    function _keyOf(address requester) internal view returns (uint256) {
        for (uint256 i; i < 3; ++i) {
            if (vm.addr(requesterKeys[i]) == requester) return requesterKeys[i];
        }
        revert("unknown requester");
    }
}
