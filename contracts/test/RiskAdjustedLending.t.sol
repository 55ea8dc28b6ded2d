// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {OracleFixture} from "./utils/OracleFixture.sol";
import {RiskAdjustedLending} from "../src/examples/RiskAdjustedLending.sol";

contract RiskAdjustedLendingTest is OracleFixture {
    RiskAdjustedLending internal pool;
    address internal keeper = makeAddr("keeper");

    function setUp() public override {
        super.setUp();
        pool = new RiskAdjustedLending(oracle, MODEL, 2, 3);
        vm.prank(admin);
        token.mint(keeper, 100 ether);
        vm.prank(keeper);
        token.approve(address(pool), type(uint256).max);
    }

    function _ask() internal returns (uint256 id) {
        vm.prank(keeper);
        id = pool.requestUpdate(INPUT, FEE, 1 hours);
    }

    function test_agreedRiskSetsTheCollateralFactor() public {
        uint256 id = _ask();
        assertEq(oracle.requestOf(id).requester, address(pool));
        int256[] memory v = new int256[](2);
        (v[0], v[1]) = (750_000, 250_000); // p(safe), p(risky)
        _answer(0, id, abi.encode(v));
        _answer(1, id, abi.encode(v));
        assertEq(pool.lastRiskPpm(), 250_000);
        assertEq(pool.collateralFactorBps(), 8_000 - 1_500);
        assertEq(pool.maxBorrow(1_000 ether), 650 ether);
        assertEq(pool.pendingRequest(), 0);
    }

    function test_riskIsClampedAndOnlyTheOracleMayAnswer() public {
        uint256 id = _ask();
        vm.expectRevert(abi.encodeWithSelector(RiskAdjustedLending.UpdatePending.selector, id));
        vm.prank(keeper);
        pool.requestUpdate(INPUT, FEE, 1 hours);
        vm.expectRevert(abi.encodeWithSelector(RiskAdjustedLending.NotOracle.selector, address(this)));
        pool.onInferenceAnswer(id, _output(0));
        _answer(0, id, _output(5_000_000));
        _answer(1, id, _output(5_000_000));
        assertEq(pool.collateralFactorBps(), 2_000);
    }

    function test_expiredRequestFreesTheSlot() public {
        uint256 id = _ask();
        vm.warp(block.timestamp + 2 hours);
        pool.clearExpired();
        assertEq(pool.pendingRequest(), 0);
        assertEq(token.balanceOf(address(pool)), FEE, "the refund comes back to the pool");
        assertTrue(_ask() > id);
    }
}
