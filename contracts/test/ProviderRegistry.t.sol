// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Unit and fuzz tests of ProviderRegistry: registration, staking, unbonding and slashing.
contract ProviderRegistryTest is Fixture {
    bytes internal constant PEER = hex"0024080112201b3c1f4e7d8a9b0c";
    address internal slasher = makeAddr("slasher");

    function setUp() public override {
        super.setUp();
        vm.startPrank(admin);
        token.mint(provider, 1_000 ether);
        registry.grantRole(registry.SLASHER_ROLE(), slasher);
        vm.stopPrank();
        vm.startPrank(provider);
        token.approve(address(registry), type(uint256).max);
        registry.register(PEER);
        vm.stopPrank();
    }

    function test_register_bindsBothWaysAndUpdates() public {
        assertEq(registry.peerIdOf(provider), PEER);
        assertEq(registry.providerOf(PEER), provider);
        vm.prank(provider);
        registry.register(hex"01");
        assertEq(registry.providerOf(PEER), address(0));
        assertEq(registry.providerOf(hex"01"), provider);
    }

    function test_register_rejectsTakenAndInvalidPeerIds() public {
        vm.startPrank(provider2);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.PeerIdTaken.selector, provider));
        registry.register(PEER);
        vm.expectRevert(IProviderRegistry.InvalidPeerId.selector);
        registry.register("");
        vm.expectRevert(IProviderRegistry.InvalidPeerId.selector);
        registry.register(new bytes(129));
    }

    function test_stake_requiresRegistration() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.NotRegistered.selector, provider2));
        vm.prank(provider2);
        registry.stake(1);
    }

    function test_unstake_waitsForUnbondingDelay() public {
        vm.startPrank(provider);
        registry.stake(100 ether);
        assertEq(registry.stakeOf(provider), 100 ether);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.InsufficientStake.selector, 100 ether, 101 ether));
        registry.requestUnstake(101 ether);
        registry.requestUnstake(40 ether);
        uint64 unlockAt = uint64(block.timestamp) + UNBONDING;
        (uint256 amount, uint64 unlocksAt) = registry.unbondingOf(provider);
        assertEq(amount, 40 ether);
        assertEq(unlocksAt, unlockAt);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.NothingToWithdraw.selector, unlockAt));
        registry.withdraw();
        vm.warp(unlockAt);
        uint256 before = token.balanceOf(provider);
        assertEq(registry.withdraw(), 40 ether);
        assertEq(token.balanceOf(provider), before + 40 ether);
        assertEq(registry.stakeOf(provider), 60 ether);
    }

    function test_slash_onlySlasher() public {
        vm.prank(provider);
        registry.stake(10 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), registry.SLASHER_ROLE()
            )
        );
        registry.slash(provider, 1 ether, new address[](0), 0);
    }

    function test_slash_rewardsBeneficiariesBurnsRestAndReachesUnbonding() public {
        vm.startPrank(provider);
        registry.stake(10 ether);
        registry.requestUnstake(4 ether);
        vm.stopPrank();
        address[] memory bene = new address[](2);
        bene[0] = makeAddr("v1");
        bene[1] = makeAddr("v2");
        uint256 supply = token.totalSupply();
        vm.prank(slasher);
        uint256 slashed = registry.slash(provider, 8 ether, bene, 5_000);
        assertEq(slashed, 8 ether);
        assertEq(registry.stakeOf(provider), 0);
        (uint256 unbonding,) = registry.unbondingOf(provider);
        assertEq(unbonding, 2 ether);
        assertEq(token.balanceOf(bene[0]), 2 ether);
        assertEq(token.balanceOf(bene[1]), 2 ether);
        assertEq(token.totalSupply(), supply - 4 ether);
        assertEq(token.balanceOf(address(registry)), 2 ether);
    }

    function test_slash_rejectsBadShareAndEmptyBond() public {
        vm.startPrank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.InvalidRewardShare.selector, 10_001));
        registry.slash(provider, 1, new address[](0), 10_001);
        vm.expectRevert(IProviderRegistry.ZeroAmount.selector);
        registry.slash(provider, 1, new address[](0), 0);
    }

    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_slash_conservesTokens(uint96 stakeAmt, uint96 unstakeAmt, uint96 slashAmt, uint16 bps, uint8 n)
        public
    {
        stakeAmt = uint96(bound(stakeAmt, 1, 1_000 ether));
        unstakeAmt = uint96(bound(unstakeAmt, 0, stakeAmt));
        bps = uint16(bound(bps, 0, 10_000));
        n = uint8(bound(n, 0, 5));
        vm.startPrank(provider);
        registry.stake(stakeAmt);
        if (unstakeAmt != 0) registry.requestUnstake(unstakeAmt);
        vm.stopPrank();
        address[] memory bene = new address[](n);
        for (uint256 i; i < n; ++i) {
            bene[i] = address(uint160(0x1000 + i));
        }
        uint256 supplyBefore = token.totalSupply();
        vm.prank(slasher);
        if (slashAmt == 0) {
            vm.expectRevert(IProviderRegistry.ZeroAmount.selector);
            registry.slash(provider, slashAmt, bene, bps);
            return;
        }
        uint256 slashed = registry.slash(provider, slashAmt, bene, bps);
        assertEq(slashed, slashAmt < stakeAmt ? slashAmt : stakeAmt);
        (uint256 unbonding,) = registry.unbondingOf(provider);
        uint256 rewarded;
        for (uint256 i; i < n; ++i) {
            rewarded += token.balanceOf(bene[i]);
        }
        assertLe(rewarded, slashed * bps / 10_000);
        assertEq(token.balanceOf(address(registry)), registry.stakeOf(provider) + unbonding);
        assertEq(token.totalSupply(), supplyBefore - (slashed - rewarded));
    }
}
