// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IJobEscrow} from "../src/interfaces/IJobEscrow.sol";

/// @notice Payees and early close: only agreed providers are paid, and a job closes before its deadline once
///         every payee signed a release — paying each what its release adds and refunding the rest at once.
contract JobEscrowCloseTest is Fixture {
    IJobEscrow.Release[] internal releases;
    bytes[] internal sigs;

    /// @dev Queues a release for `key`'s address; `_close` sorts the queue by provider.
    function _queue(uint256 jobId, uint256 key, uint256 units) internal {
        (IJobEscrow.Release memory r, bytes memory sig) = _release(jobId, key, units, bytes32(units));
        releases.push(r);
        sigs.push(sig);
    }

    function _sortQueue() internal {
        for (uint256 i = 1; i < releases.length; ++i) {
            for (uint256 j = i; j > 0 && releases[j - 1].provider > releases[j].provider; --j) {
                // via memory: a tuple swap of storage elements would copy the overwritten one
                IJobEscrow.Release memory r = releases[j];
                bytes memory sig = sigs[j];
                (releases[j], sigs[j]) = (releases[j - 1], sigs[j - 1]);
                (releases[j - 1], sigs[j - 1]) = (r, sig);
            }
        }
    }

    function _close(uint256 jobId) internal returns (uint256 refund) {
        _sortQueue();
        vm.prank(requester);
        refund = escrow.closeJob(jobId, releases, sigs);
    }

    function test_addPayees_onlyRequesterUntilDeadline_skipsDuplicates() public {
        uint256 jobId = _openBare();
        address[] memory payees = new address[](3);
        (payees[0], payees[1], payees[2]) = (provider, provider2, provider);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.NotRequester.selector, provider));
        vm.prank(provider);
        escrow.addPayees(jobId, payees);
        vm.expectEmit(address(escrow));
        emit IJobEscrow.PayeeAdded(jobId, provider);
        vm.prank(requester);
        escrow.addPayees(jobId, payees);
        assertEq(escrow.getJob(jobId).payees, 2);
        assertTrue(escrow.isPayee(jobId, provider2));
        assertFalse(escrow.isPayee(jobId, requester));
        payees[0] = address(0);
        vm.expectRevert(IJobEscrow.InvalidProvider.selector);
        vm.prank(requester);
        escrow.addPayees(jobId, payees);
        uint64 deadline = escrow.getJob(jobId).deadline;
        vm.warp(deadline + 1);
        payees[0] = requester;
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.DeadlinePassed.selector, deadline));
        vm.prank(requester);
        escrow.addPayees(jobId, payees);
    }

    function test_redeem_rejectsProviderThatIsNoPayee() public {
        uint256 jobId = _openBare();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 10, 0);
        bytes memory sig = _sign(requesterKey, v);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.NotPayee.selector, provider));
        escrow.redeem(v, sig);
    }

    function test_closeJob_withoutPayees_refundsEverythingAtOnce() public {
        uint256 jobId = _openBare();
        uint256 before = token.balanceOf(requester);
        vm.expectEmit(address(escrow));
        emit IJobEscrow.JobSettled(jobId, requester, BUDGET, 0);
        assertEq(_close(jobId), BUDGET);
        assertEq(token.balanceOf(requester), before + BUDGET);
        assertEq(token.balanceOf(address(escrow)), 0);
        assertTrue(escrow.getJob(jobId).closed);
    }

    function test_closeJob_paysWhatReleasesAddAndRefundsTheRest() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 100, 0);
        escrow.redeem(v, _sign(requesterKey, v));
        IJobEscrow.Voucher memory late = _voucher(jobId, provider, 200, 0);
        bytes memory lateSig = _sign(requesterKey, late);
        _queue(jobId, providerKey, 150);
        _queue(jobId, provider2Key, 0); // joined, did no work
        uint256 before = token.balanceOf(requester);
        assertEq(_close(jobId), BUDGET - 150 * PRICE);
        assertEq(token.balanceOf(provider), 150 * PRICE);
        assertEq(token.balanceOf(provider2), 0);
        assertEq(token.balanceOf(requester), before + BUDGET - 150 * PRICE);
        assertEq(token.balanceOf(address(escrow)), 0);
        (uint256 units, uint256 amount) = escrow.redeemed(jobId, provider);
        assertEq(units, 150);
        assertEq(amount, 150 * PRICE);
        assertTrue(escrow.isRecordedRoot(jobId, provider, bytes32(uint256(150))));
        // closed: no voucher redeems and nothing more is refunded
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.JobClosed.selector, jobId));
        escrow.redeem(late, lateSig);
        vm.warp(block.timestamp + 1 days + REDEEM_WINDOW + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.JobClosed.selector, jobId));
        vm.prank(requester);
        escrow.reclaim(jobId);
    }

    function test_closeJob_releaseBelowRedeemedPaysNothingMore() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 100, 0);
        escrow.redeem(v, _sign(requesterKey, v));
        _queue(jobId, providerKey, 60);
        _queue(jobId, provider2Key, 0);
        assertEq(_close(jobId), BUDGET - 100 * PRICE);
        assertEq(token.balanceOf(provider), 100 * PRICE);
    }

    function test_closeJob_takesTheFee() public {
        address treasury = makeAddr("treasury");
        vm.prank(admin);
        escrow.setFee(250, treasury);
        uint256 jobId = _open();
        _queue(jobId, providerKey, 100);
        _queue(jobId, provider2Key, 0);
        _close(jobId);
        uint256 fee = 100 * PRICE * 250 / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(provider), 100 * PRICE - fee);
    }

    function test_closeJob_needsEveryPayeeOnce() public {
        uint256 jobId = _open();
        _queue(jobId, providerKey, 10);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReleaseCountMismatch.selector, 2, 1));
        _close(jobId);
        // the same payee twice instead of both
        _queue(jobId, providerKey, 10);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReleasesNotSorted.selector, provider));
        _close(jobId);
        // a stranger's release in place of a payee's
        releases.pop();
        sigs.pop();
        _queue(jobId, 0xBAD, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.NotPayee.selector, vm.addr(0xBAD)));
        _close(jobId);
    }

    function test_closeJob_rejectsForgedWrongJobAndOthersCalls() public {
        uint256 jobId = _open();
        uint256 other = _open();
        _queue(jobId, providerKey, 10);
        _queue(jobId, provider2Key, 0);
        _sortQueue();
        bytes memory good = sigs[0];
        // signed by the requester, not by the payee
        (, sigs[0]) = _release(jobId, requesterKey, releases[0].cumulativeUnits, releases[0].receiptsRoot);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.InvalidReleaseSignature.selector, releases[0].provider));
        _close(jobId);
        sigs[0] = good;
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReleaseJobMismatch.selector, jobId));
        vm.prank(requester);
        escrow.closeJob(other, releases, sigs);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.NotRequester.selector, provider));
        vm.prank(provider);
        escrow.closeJob(jobId, releases, sigs);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.UnknownJob.selector, 99));
        vm.prank(requester);
        escrow.closeJob(99, releases, sigs);
    }

    function test_closeJob_rejectsReleasesBeyondBudget() public {
        uint256 jobId = _open();
        _queue(jobId, providerKey, 600);
        _queue(jobId, provider2Key, 600);
        _sortQueue();
        uint256 first = releases[0].cumulativeUnits;
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.ExceedsBudget.selector, BUDGET, (first + 600) * PRICE)
        );
        _close(jobId);
    }

    /// @notice Whatever was redeemed and released, closing conserves tokens: each payee ends with the larger of
    ///         its redeemed and released totals, the requester gets exactly the rest, the escrow holds nothing.
    function testFuzz_closeJob_conserves(uint16 redeemedA, uint16 releasedA, uint16 releasedB) public {
        uint256 jobId = _open();
        redeemedA = uint16(bound(redeemedA, 0, 500));
        releasedA = uint16(bound(releasedA, 0, 500));
        releasedB = uint16(bound(releasedB, 0, 500));
        if (redeemedA > 0) {
            IJobEscrow.Voucher memory v = _voucher(jobId, provider, redeemedA, 0);
            escrow.redeem(v, _sign(requesterKey, v));
        }
        uint256 before = token.balanceOf(requester);
        _queue(jobId, providerKey, releasedA);
        _queue(jobId, provider2Key, releasedB);
        uint256 paidA = (releasedA > redeemedA ? releasedA : redeemedA) * PRICE;
        uint256 paidB = uint256(releasedB) * PRICE;
        assertEq(_close(jobId), BUDGET - paidA - paidB);
        assertEq(token.balanceOf(provider), paidA);
        assertEq(token.balanceOf(provider2), paidB);
        assertEq(token.balanceOf(requester) - before, BUDGET - paidA - paidB);
        assertEq(token.balanceOf(address(escrow)), 0);
        assertEq(escrow.getJob(jobId).paid, paidA + paidB);
    }
}
