// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IJobEscrow} from "../src/interfaces/IJobEscrow.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice Unit tests of JobEscrow: the happy path and every rejection of issue 3 "Must show".
contract JobEscrowTest is Fixture {
    function test_openJob_locksBudget() public {
        uint256 before = token.balanceOf(requester);
        uint256 jobId = _open();
        assertEq(jobId, 1);
        assertEq(token.balanceOf(address(escrow)), BUDGET);
        assertEq(token.balanceOf(requester), before - BUDGET);
        IJobEscrow.Job memory j = escrow.getJob(jobId);
        assertEq(j.requester, requester);
        assertEq(j.budget, BUDGET);
        assertEq(j.pricePerUnit, PRICE);
    }

    function test_openJob_rejectsBadTerms() public {
        vm.startPrank(requester);
        vm.expectRevert(IJobEscrow.InvalidTerms.selector);
        escrow.openJob(0, PRICE, uint64(block.timestamp + 1), 0);
        vm.expectRevert(IJobEscrow.InvalidTerms.selector);
        escrow.openJob(BUDGET, 0, uint64(block.timestamp + 1), 0);
        vm.expectRevert(IJobEscrow.InvalidTerms.selector);
        escrow.openJob(PRICE, PRICE + 1, uint64(block.timestamp + 1), 0);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.DeadlineInPast.selector, uint64(block.timestamp)));
        escrow.openJob(BUDGET, PRICE, uint64(block.timestamp), 0);
    }

    function test_openJobWithPermit() public {
        uint256 key = 0xB0B;
        address bob = vm.addr(key);
        vm.prank(admin);
        token.mint(bob, BUDGET);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                bob,
                address(escrow),
                BUDGET,
                token.nonces(bob),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        vm.prank(bob);
        uint256 jobId = escrow.openJobWithPermit(BUDGET, PRICE, uint64(block.timestamp + 1 days), 0, deadline, v, r, s);
        assertEq(escrow.getJob(jobId).requester, bob);
        assertEq(token.balanceOf(bob), 0);
    }

    function test_redeem_paysDifferenceOnly() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v1 = _voucher(jobId, provider, 10, bytes32(uint256(1)));
        IJobEscrow.Voucher memory v2 = _voucher(jobId, provider, 25, bytes32(uint256(2)));
        vm.expectEmit(address(escrow));
        emit IJobEscrow.ContributionRecorded(jobId, provider, 10, 10 * PRICE, bytes32(uint256(1)), 10);
        escrow.redeem(v1, _sign(requesterKey, v1));
        assertEq(token.balanceOf(provider), 10 * PRICE);
        escrow.redeem(v2, _sign(requesterKey, v2));
        assertEq(token.balanceOf(provider), 25 * PRICE);
        (uint256 units, uint256 amount) = escrow.redeemed(jobId, provider);
        assertEq(units, 25);
        assertEq(amount, 25 * PRICE);
        assertEq(escrow.getJob(jobId).paid, 25 * PRICE);
    }

    function test_redeem_byAnyoneAfterRequesterVanished_paysProvider() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 7, 0);
        bytes memory sig = _sign(requesterKey, v);
        vm.warp(block.timestamp + 1 days + REDEEM_WINDOW); // deadline passed, still within window
        vm.prank(makeAddr("relayer"));
        escrow.redeem(v, sig);
        assertEq(token.balanceOf(provider), 7 * PRICE);
        assertEq(token.balanceOf(makeAddr("relayer")), 0);
    }

    function test_redeem_rejectsForgedSignature() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 10, 0);
        bytes memory forged = _sign(0xBAD, v);
        vm.expectRevert(IJobEscrow.InvalidSignature.selector);
        escrow.redeem(v, forged);
        vm.expectRevert(); // malformed signature bytes
        escrow.redeem(v, hex"1234");
    }

    function test_redeem_rejectsVoucherForAnotherJob() public {
        uint256 jobA = _open();
        uint256 jobB = _open();
        IJobEscrow.Voucher memory v = _voucher(jobA, provider, 10, 0);
        bytes memory sig = _sign(requesterKey, v);
        v.jobId = jobB;
        vm.expectRevert(IJobEscrow.InvalidSignature.selector);
        escrow.redeem(v, sig);
    }

    function test_redeem_rejectsVoucherForAnotherProvider() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 10, 0);
        bytes memory sig = _sign(requesterKey, v);
        v.provider = provider2;
        vm.expectRevert(IJobEscrow.InvalidSignature.selector);
        escrow.redeem(v, sig);
    }

    function test_redeem_rejectsOlderVoucherAfterNewer() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v1 = _voucher(jobId, provider, 10, 0);
        IJobEscrow.Voucher memory v2 = _voucher(jobId, provider, 20, 0);
        bytes memory sig1 = _sign(requesterKey, v1);
        escrow.redeem(v2, _sign(requesterKey, v2));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.StaleVoucher.selector, 20, 10));
        escrow.redeem(v1, sig1);
    }

    function test_redeem_rejectsReplay() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 10, 0);
        bytes memory sig = _sign(requesterKey, v);
        escrow.redeem(v, sig);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.StaleVoucher.selector, 10, 10));
        escrow.redeem(v, sig);
        assertEq(token.balanceOf(provider), 10 * PRICE);
    }

    function test_redeem_rejectsAboveBudget() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 1_001, 0);
        bytes memory sig = _sign(requesterKey, v);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ExceedsBudget.selector, BUDGET, 1_001 * PRICE));
        escrow.redeem(v, sig);
    }

    function test_redeem_rejectsAboveBudgetAcrossProviders() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory a = _voucher(jobId, provider, 600, 0);
        IJobEscrow.Voucher memory b = _voucher(jobId, provider2, 600, 0);
        escrow.redeem(a, _sign(requesterKey, a));
        bytes memory sigB = _sign(requesterKey, b);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ExceedsBudget.selector, BUDGET, 1_200 * PRICE));
        escrow.redeem(b, sigB);
    }

    function test_redeem_rejectsAmountMismatch() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 10, 0);
        v.cumulativeAmount += 1;
        bytes memory sig = _sign(requesterKey, v);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.AmountMismatch.selector, 10 * PRICE, 10 * PRICE + 1));
        escrow.redeem(v, sig);
    }

    function test_redeem_rejectsUnknownJobZeroProviderAndClosedWindow() public {
        IJobEscrow.Voucher memory v = _voucher(99, provider, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.UnknownJob.selector, 99));
        escrow.redeem(v, "");
        uint256 jobId = _open();
        v = _voucher(jobId, address(0), 1, 0);
        vm.expectRevert(IJobEscrow.InvalidProvider.selector);
        escrow.redeem(v, "");
        v = _voucher(jobId, provider, 1, 0);
        bytes memory sig = _sign(requesterKey, v);
        uint256 closesAt = block.timestamp + 1 days + REDEEM_WINDOW;
        vm.warp(closesAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.RedeemWindowOver.selector, jobId, closesAt));
        escrow.redeem(v, sig);
    }

    function test_reclaim_rejectsBeforeDeadlineAndWindow() public {
        uint256 jobId = _open();
        uint256 availableAt = block.timestamp + 1 days + REDEEM_WINDOW + 1;
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReclaimTooEarly.selector, availableAt));
        escrow.reclaim(jobId);
        vm.warp(block.timestamp + 1 days + 1); // past deadline, inside the redeem window
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReclaimTooEarly.selector, availableAt));
        escrow.reclaim(jobId);
    }

    function test_reclaim_returnsUnpaidRestOnceAndClosesJob() public {
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 400, 0);
        escrow.redeem(v, _sign(requesterKey, v));
        IJobEscrow.Voucher memory late = _voucher(jobId, provider, 500, 0);
        bytes memory lateSig = _sign(requesterKey, late);
        uint256 before = token.balanceOf(requester);
        vm.warp(block.timestamp + 1 days + REDEEM_WINDOW + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.NotRequester.selector, provider));
        vm.prank(provider);
        escrow.reclaim(jobId);
        vm.prank(requester);
        assertEq(escrow.reclaim(jobId), 600 * PRICE);
        assertEq(token.balanceOf(requester), before + 600 * PRICE);
        assertEq(token.balanceOf(address(escrow)), 0);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.JobClosed.selector, jobId));
        escrow.reclaim(jobId);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.JobClosed.selector, jobId));
        escrow.redeem(late, lateSig);
    }

    function test_fee_goesToTreasury() public {
        address treasury = makeAddr("treasury");
        vm.prank(admin);
        escrow.setFee(250, treasury); // 2.5%
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 100, 0);
        escrow.redeem(v, _sign(requesterKey, v));
        uint256 fee = 100 * PRICE * 250 / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(provider), 100 * PRICE - fee);
    }

    function test_setFee_rejectsInvalid() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.InvalidFee.selector, 1_001));
        escrow.setFee(1_001, makeAddr("t"));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.InvalidFee.selector, 5));
        escrow.setFee(5, address(0));
        vm.stopPrank();
        vm.expectRevert();
        escrow.setFee(5, makeAddr("t"));
    }

    function test_verifyReceipt_provesRecordedLeavesAndRejectsTampered() public {
        uint256 jobId = _open();
        IJobEscrow.TaskReceipt[4] memory r;
        bytes32[4] memory leaves;
        for (uint256 i; i < 4; ++i) {
            r[i] = IJobEscrow.TaskReceipt(jobId, bytes32(i), provider, 1, keccak256(abi.encode(i)), keccak256("out"));
            leaves[i] = escrow.receiptLeaf(r[i]);
        }
        bytes32 n01 = Hashes.commutativeKeccak256(leaves[0], leaves[1]);
        bytes32 n23 = Hashes.commutativeKeccak256(leaves[2], leaves[3]);
        bytes32 root = Hashes.commutativeKeccak256(n01, n23);
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = leaves[3];
        proof[1] = n01;

        assertFalse(escrow.verifyTaskReceipt(r[2], root, proof), "root not yet recorded");
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, 4, root);
        escrow.redeem(v, _sign(requesterKey, v));
        assertTrue(escrow.verifyTaskReceipt(r[2], root, proof));
        assertTrue(escrow.verifyReceipt(jobId, provider, root, leaves[2], proof));

        r[2].outputHash = keccak256("tampered");
        assertFalse(escrow.verifyTaskReceipt(r[2], root, proof));
        r[2].outputHash = keccak256("out");
        r[2].units = 2;
        assertFalse(escrow.verifyTaskReceipt(r[2], root, proof));
        assertFalse(escrow.verifyReceipt(jobId, provider2, root, leaves[2], proof), "other provider");
    }
}
