// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IJobEscrow} from "../src/interfaces/IJobEscrow.sol";

/// @notice Fuzz tests of JobEscrow (1,000 runs each, see foundry.toml).
contract JobEscrowFuzzTest is Fixture {
    /// @notice Any increasing sequence of vouchers pays the provider exactly the last cumulative amount.
    function testFuzz_redeem_sequencePaysExactlyLatestCumulative(uint16[8] memory steps) public {
        uint256 jobId = _open();
        uint256 units;
        for (uint256 i; i < steps.length; ++i) {
            uint256 next = units + bound(steps[i], 0, 200);
            IJobEscrow.Voucher memory v = _voucher(jobId, provider, next, bytes32(i));
            bytes memory sig = _sign(requesterKey, v);
            if (next <= units) {
                vm.expectRevert(abi.encodeWithSelector(IJobEscrow.StaleVoucher.selector, units, next));
                escrow.redeem(v, sig);
            } else if (next * PRICE > BUDGET) {
                vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ExceedsBudget.selector, BUDGET, next * PRICE));
                escrow.redeem(v, sig);
            } else {
                assertEq(escrow.redeem(v, sig), (next - units) * PRICE);
                units = next;
            }
            assertEq(token.balanceOf(provider), units * PRICE);
            assertEq(token.balanceOf(address(escrow)), BUDGET - units * PRICE);
        }
    }

    /// @notice A voucher signed by any key other than the requester's is rejected.
    function testFuzz_redeem_rejectsOtherSigners(uint256 key, uint16 units) public {
        key = bound(key, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        vm.assume(key != requesterKey);
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = _voucher(jobId, provider, bound(units, 1, 1_000), 0);
        bytes memory sig = _sign(key, v);
        vm.expectRevert(IJobEscrow.InvalidSignature.selector);
        escrow.redeem(v, sig);
    }

    /// @notice Any amount other than units × price is rejected, whatever the signature.
    function testFuzz_redeem_rejectsAmountOtherThanUnitsTimesPrice(uint128 units, uint256 amount) public {
        vm.assume(uint256(units) * PRICE != amount);
        uint256 jobId = _open();
        IJobEscrow.Voucher memory v = IJobEscrow.Voucher(jobId, provider, units, amount, 0);
        bytes memory sig = _sign(requesterKey, v);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.AmountMismatch.selector, uint256(units) * PRICE, amount));
        escrow.redeem(v, sig);
    }

    /// @notice Reclaim returns exactly budget - paid, only after deadline + window.
    function testFuzz_reclaim_returnsExactRest(uint16 unitsA, uint16 unitsB, uint32 wait) public {
        uint256 jobId = _open();
        unitsA = uint16(bound(unitsA, 1, 500));
        unitsB = uint16(bound(unitsB, 1, 500));
        IJobEscrow.Voucher memory a = _voucher(jobId, provider, unitsA, 0);
        IJobEscrow.Voucher memory b = _voucher(jobId, provider2, unitsB, 0);
        escrow.redeem(a, _sign(requesterKey, a));
        escrow.redeem(b, _sign(requesterKey, b));
        uint256 availableAt = block.timestamp + 1 days + REDEEM_WINDOW + 1;
        vm.warp(block.timestamp + wait);
        uint256 before = token.balanceOf(requester);
        vm.prank(requester);
        if (block.timestamp < availableAt) {
            vm.expectRevert(abi.encodeWithSelector(IJobEscrow.ReclaimTooEarly.selector, availableAt));
            escrow.reclaim(jobId);
        } else {
            escrow.reclaim(jobId);
            assertEq(token.balanceOf(requester) - before, BUDGET - (uint256(unitsA) + unitsB) * PRICE);
            assertEq(token.balanceOf(address(escrow)), 0);
        }
    }
}
