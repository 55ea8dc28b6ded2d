// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./base/Test.sol";
import {LineageRegistry} from "../src/LineageRegistry.sol";
import {ILineageRegistry} from "../src/interfaces/ILineageRegistry.sol";

/// @notice Unit and fuzz tests of LineageRegistry: write-once anchors, owner recorded, event, input checks.
contract LineageRegistryTest is Test {
    LineageRegistry internal reg;
    address internal owner = makeAddr("owner");
    address internal other = makeAddr("other");
    bytes32 internal constant MODEL = keccak256("model");
    bytes32 internal constant ROOT = keccak256("root");

    function setUp() public {
        reg = new LineageRegistry();
    }

    function test_anchor_recordsRootOwnerTimeAndEmits() public {
        vm.warp(1_700_000_000);
        vm.expectEmit(true, true, false, true, address(reg));
        emit ILineageRegistry.LineageAnchored(MODEL, ROOT, owner, "ipfs://lineage");
        vm.prank(owner);
        reg.anchor(MODEL, ROOT, "ipfs://lineage");
        assertEq(reg.rootOf(MODEL), ROOT);
        ILineageRegistry.Anchor memory a = reg.anchorOf(MODEL);
        assertEq(a.root, ROOT);
        assertEq(a.owner, owner);
        assertEq(a.anchoredAt, 1_700_000_000);
    }

    function test_rootOf_unknownIsZero() public view {
        assertEq(reg.rootOf(MODEL), bytes32(0));
        assertEq(reg.anchorOf(MODEL).owner, address(0));
    }

    function test_anchor_isWriteOnceEvenForSameOwnerAndRoot() public {
        vm.prank(owner);
        reg.anchor(MODEL, ROOT, "");
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ILineageRegistry.AlreadyAnchored.selector, MODEL, ROOT, owner));
        reg.anchor(MODEL, keccak256("forged"), "");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ILineageRegistry.AlreadyAnchored.selector, MODEL, ROOT, owner));
        reg.anchor(MODEL, ROOT, "");
        assertEq(reg.rootOf(MODEL), ROOT);
    }

    function test_anchor_rejectsZeroHashesAndLongUri() public {
        vm.expectRevert(ILineageRegistry.ZeroHash.selector);
        reg.anchor(bytes32(0), ROOT, "");
        vm.expectRevert(ILineageRegistry.ZeroHash.selector);
        reg.anchor(MODEL, bytes32(0), "");
        string memory long = string(new bytes(513));
        vm.expectRevert(abi.encodeWithSelector(ILineageRegistry.UriTooLong.selector, 513));
        reg.anchor(MODEL, ROOT, long);
        reg.anchor(MODEL, ROOT, string(new bytes(512)));
        assertEq(reg.rootOf(MODEL), ROOT);
    }

    /// @notice Any non-zero pair anchors once; the first sender owns it; no later call changes it.
    function testFuzz_anchor_firstWriterWins(bytes32 model, bytes32 root, bytes32 root2, address a, address b)
        public
    {
        vm.assume(model != bytes32(0) && root != bytes32(0) && root2 != bytes32(0));
        vm.prank(a);
        reg.anchor(model, root, "");
        vm.prank(b);
        vm.expectRevert(abi.encodeWithSelector(ILineageRegistry.AlreadyAnchored.selector, model, root, a));
        reg.anchor(model, root2, "");
        assertEq(reg.rootOf(model), root);
        assertEq(reg.anchorOf(model).owner, a);
    }

    /// @notice Anchors of distinct models are independent.
    function testFuzz_anchor_modelsIndependent(bytes32 m1, bytes32 m2, bytes32 r1, bytes32 r2) public {
        vm.assume(m1 != m2 && m1 != bytes32(0) && m2 != bytes32(0) && r1 != bytes32(0) && r2 != bytes32(0));
        reg.anchor(m1, r1, "");
        assertEq(reg.rootOf(m2), bytes32(0));
        vm.prank(other);
        reg.anchor(m2, r2, "");
        assertEq(reg.rootOf(m1), r1);
        assertEq(reg.rootOf(m2), r2);
        assertEq(reg.anchorOf(m2).owner, other);
    }
}
