// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {DisputeResolver} from "../src/DisputeResolver.sol";
import {IDisputeResolver} from "../src/interfaces/IDisputeResolver.sol";

contract DisputeResolverTest is Fixture {
    DisputeResolver internal resolver;
    uint256 internal constant STAKE = 100 ether;
    uint256 internal constant DEPOSIT = 10 ether;
    bytes32 internal constant TASK = keccak256("job.1.abc");
    bytes32 internal constant INPUT = keccak256("input");
    bytes32 internal constant GOOD = keccak256("good");
    bytes32 internal constant BAD = keccak256("bad");
    // keys: 1 cheater, 2 & 3 honest verifiers, 4..7 referees
    uint256[8] internal keys = [uint256(0), 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7];

    function setUp() public override {
        super.setUp();
        resolver = new DisputeResolver(registry, token, DEPOSIT, 1 days, 1 days, 10 ether);
        vm.startPrank(admin);
        registry.grantRole(registry.SLASHER_ROLE(), address(resolver));
        vm.stopPrank();
        vm.prank(requester);
        token.approve(address(resolver), type(uint256).max);
        for (uint256 i = 1; i < keys.length; ++i) {
            address a = vm.addr(keys[i]);
            vm.prank(admin);
            token.mint(a, STAKE);
            vm.startPrank(a);
            token.approve(address(registry), STAKE);
            registry.register(abi.encodePacked("peer", i));
            registry.stake(STAKE);
            if (i >= 4) resolver.registerReferee();
            vm.stopPrank();
        }
    }

    function _signed(uint256 key, bytes32 out) internal view returns (IDisputeResolver.SignedResult memory r) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(key, resolver.resultDigest(TASK, INPUT, out));
        r = IDisputeResolver.SignedResult(vm.addr(key), out, abi.encodePacked(rr, s, v));
    }

    function _quorum(bytes32 out) internal view returns (IDisputeResolver.SignedResult[] memory q) {
        q = new IDisputeResolver.SignedResult[](2);
        q[0] = _signed(keys[2], out);
        q[1] = _signed(keys[3], out);
    }

    function _accuse(IDisputeResolver.SignedResult memory a, IDisputeResolver.SignedResult[] memory q)
        internal
        returns (uint256)
    {
        vm.prank(requester);
        return resolver.accuse(TASK, INPUT, a, q);
    }

    function test_upheldSlashesRewardsAndBurns() public {
        uint256 supply = token.totalSupply();
        uint256 id = _accuse(_signed(keys[1], BAD), _quorum(GOOD));
        assertEq(registry.stakeOf(vm.addr(keys[1])), STAKE / 2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.OutsideWindow.selector, id));
        resolver.resolve(id);
        vm.warp(block.timestamp + 1 days + 1);
        resolver.resolve(id);
        assertEq(token.balanceOf(vm.addr(keys[2])), STAKE / 8);
        assertEq(token.balanceOf(vm.addr(keys[3])), STAKE / 8);
        assertEq(token.totalSupply(), supply - STAKE / 4);
        assertEq(uint8(resolver.disputeOf(id).status), uint8(IDisputeResolver.Status.Upheld));
    }

    function test_appealReversesWhenRefereesAgreeWithAccused() public {
        uint256 before = token.balanceOf(requester);
        uint256 id = _accuse(_signed(keys[1], GOOD), _quorum(BAD));
        vm.roll(block.number + 5);
        vm.prank(vm.addr(keys[1]));
        resolver.appeal(id);
        address[] memory panel = resolver.disputeOf(id).referees;
        assertEq(panel.length, 3);
        for (uint256 i; i < 3; ++i) {
            vm.prank(panel[i]);
            resolver.vote(id, GOOD);
        }
        resolver.resolve(id);
        assertEq(token.balanceOf(vm.addr(keys[1])), STAKE / 2 + DEPOSIT);
        assertEq(token.balanceOf(requester), before - DEPOSIT);
    }

    function test_appealFailsWhenRefereesSideWithQuorum() public {
        uint256 id = _accuse(_signed(keys[1], BAD), _quorum(GOOD));
        vm.prank(vm.addr(keys[1]));
        resolver.appeal(id);
        address[] memory panel = resolver.disputeOf(id).referees;
        vm.prank(panel[0]);
        resolver.vote(id, BAD);
        vm.prank(panel[1]);
        resolver.vote(id, GOOD);
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.NotAllowed.selector, address(this)));
        resolver.vote(id, BAD);
        vm.warp(block.timestamp + 1 days + 1);
        resolver.resolve(id);
        assertEq(uint8(resolver.disputeOf(id).status), uint8(IDisputeResolver.Status.Upheld));
    }

    function test_rejectsForgedOrNonConflictingEvidence() public {
        IDisputeResolver.SignedResult memory accused = _signed(keys[1], BAD);
        IDisputeResolver.SignedResult[] memory q = _quorum(GOOD);
        q[1].provider = vm.addr(keys[5]); // signature by key 3, claimed for key 5
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.BadSignature.selector, vm.addr(keys[5])));
        resolver.accuse(TASK, INPUT, accused, q);
        IDisputeResolver.SignedResult memory same = _signed(keys[1], GOOD);
        q = _quorum(GOOD);
        vm.prank(requester);
        vm.expectRevert(IDisputeResolver.OutputsDoNotConflict.selector);
        resolver.accuse(TASK, INPUT, same, q);
        q = _quorum(GOOD);
        q[1] = q[0];
        vm.prank(requester);
        vm.expectRevert(IDisputeResolver.InvalidQuorum.selector);
        resolver.accuse(TASK, INPUT, accused, q);
    }

    function test_onlyAccusedAppealsWithinWindow() public {
        uint256 id = _accuse(_signed(keys[1], BAD), _quorum(GOOD));
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.NotAllowed.selector, address(this)));
        resolver.appeal(id);
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(vm.addr(keys[1]));
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.OutsideWindow.selector, id));
        resolver.appeal(id);
    }

    /// Any output pair that differs, any stake: the held amount is half the stake; upholding conserves tokens.
    function testFuzz_conservation(bytes32 bad, bytes32 good, uint96 stakeExtra) public {
        vm.assume(bad != good);
        address cheater = vm.addr(keys[1]);
        vm.prank(admin);
        token.mint(cheater, stakeExtra);
        vm.startPrank(cheater);
        token.approve(address(registry), stakeExtra);
        if (stakeExtra > 0) registry.stake(stakeExtra);
        vm.stopPrank();
        uint256 staked = registry.stakeOf(cheater);
        uint256 supply = token.totalSupply();
        uint256 id = _accuse(_signed(keys[1], bad), _quorum(good));
        uint256 held = staked / 2;
        assertEq(registry.stakeOf(cheater), staked - held);
        vm.warp(block.timestamp + 1 days + 1);
        resolver.resolve(id);
        uint256 rewarded = token.balanceOf(vm.addr(keys[2])) + token.balanceOf(vm.addr(keys[3]));
        assertEq(supply - token.totalSupply() + rewarded, held);
        assertEq(token.balanceOf(address(resolver)), 0);
        vm.expectRevert(abi.encodeWithSelector(IDisputeResolver.WrongStatus.selector, id, IDisputeResolver.Status.Upheld));
        resolver.resolve(id);
    }
}
