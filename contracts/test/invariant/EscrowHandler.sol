// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";

/// @notice Drives JobEscrow with random opens, redemptions, replays, forged vouchers and reclaims,
///         keeping ghost totals that the invariants compare with the chain.
contract EscrowHandler is Test {
    MutiraoToken internal immutable token;
    JobEscrow internal immutable escrow;
    address internal immutable minter;

    uint256[3] internal requesterKeys = [uint256(0xA1), 0xA2, 0xA3];
    address[3] public providers = [address(0xB1), address(0xB2), address(0xB3)];
    address public constant TREASURY = address(0x7EA);

    uint256 public ghostMinted;
    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public ghostReclaimed;
    uint256 public ghostDoublePays;
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

    /// @notice A random requester opens a job.
    function open(uint256 who, uint256 units, uint256 price, uint32 ttl) external {
        address requester = vm.addr(requesterKeys[who % 3]);
        price = bound(price, 1, 1e18);
        uint256 budget = bound(units, 1, 10_000) * price;
        vm.prank(minter);
        token.mint(requester, budget);
        ghostMinted += budget;
        vm.startPrank(requester);
        token.approve(address(escrow), budget);
        jobIds.push(escrow.openJob(budget, price, uint64(block.timestamp + bound(ttl, 3 days, 30 days)), 0));
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
            if (forge || stale) ghostDoublePays++;
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
