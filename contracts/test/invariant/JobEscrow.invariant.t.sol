// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";
import {EscrowHandler} from "./EscrowHandler.sol";

/// @notice Invariants: the escrow never pays more than was deposited, tokens are conserved, no voucher pays
///         twice, beyond its job's budget or to a non-payee, and a job closes early only with every payee's release.
contract JobEscrowInvariantTest is Test {
    MutiraoToken internal token;
    JobEscrow internal escrow;
    EscrowHandler internal handler;

    function setUp() public {
        address admin = makeAddr("admin");
        token = new MutiraoToken(admin);
        escrow = new JobEscrow(token, 1 days, admin);
        handler = new EscrowHandler(token, escrow, admin);
        address treasury = handler.TREASURY();
        vm.prank(admin);
        escrow.setFee(100, treasury);
        targetContract(address(handler));
    }

    /// @notice Escrow balance = deposited − paid − reclaimed (reclaims and early-close refunds), so it never pays more than deposited.
    function invariant_escrowBalanceMatchesLedger() public view {
        assertEq(
            token.balanceOf(address(escrow)),
            handler.ghostDeposited() - handler.ghostPaid() - handler.ghostReclaimed()
        );
        assertLe(handler.ghostPaid() + handler.ghostReclaimed(), handler.ghostDeposited());
    }

    /// @notice Supply equals what was minted, and all of it sits with known holders.
    function invariant_tokensConserved() public view {
        assertEq(token.totalSupply(), handler.ghostMinted());
        uint256 held = token.balanceOf(address(escrow)) + token.balanceOf(handler.TREASURY());
        for (uint256 i; i < 3; ++i) {
            held += token.balanceOf(handler.providers(i));
            held += token.balanceOf(vm.addr(0xA1 + i));
        }
        assertEq(held, token.totalSupply());
    }

    /// @notice No job pays beyond its budget or a non-payee; each provider got exactly its last redeemed cumulative.
    function invariant_noVoucherPaysTwiceOrBeyondBudget() public view {
        assertEq(handler.ghostDoublePays(), 0);
        uint256 n = handler.jobCount();
        for (uint256 j; j < n; ++j) {
            uint256 jobId = handler.jobIds(j);
            IJobEscrow.Job memory job = escrow.getJob(jobId);
            assertLe(job.paid, job.budget);
            uint256 sum;
            for (uint256 i; i < 3; ++i) {
                address p = handler.providers(i);
                (, uint256 amount) = escrow.redeemed(jobId, p);
                assertEq(handler.ghostPaidTo(jobId, p), amount);
                if (!escrow.isPayee(jobId, p)) assertEq(amount, 0);
                sum += amount;
            }
            assertEq(sum, job.paid);
        }
    }
}
