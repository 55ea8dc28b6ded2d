// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {VM, Vm} from "./Vm.sol";

/// @title Test
/// @notice Minimal base for the Mutirão forge tests: cheatcodes, assertions that revert with both values,
///         `bound` for fuzz inputs, named addresses, and invariant target registration.
abstract contract Test {
    Vm internal constant vm = VM;

    address[] private _targetContracts;

    /// @notice Contracts the invariant fuzzer calls (read by forge).
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @notice Restrict invariant fuzzing to `target`.
    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    /// @notice A deterministic address for `name`, labelled in traces.
    function makeAddr(string memory name) internal returns (address who) {
        who = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(who, name);
    }

    /// @notice Map a fuzzed `x` into [min, max] (inclusive), keeping values already inside unchanged.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    function _fail(string memory what, string memory a, string memory b) private pure {
        revert(string.concat(what, " failed: ", a, " vs ", b));
    }

    function assertTrue(bool c) internal pure {
        if (!c) revert("assertTrue failed");
    }

    function assertFalse(bool c) internal pure {
        if (c) revert("assertFalse failed");
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        if (a != b) _fail("assertEq", vm.toString(a), vm.toString(b));
    }

    function assertEq(int256 a, int256 b) internal pure {
        if (a != b) _fail("assertEq", vm.toString(a), vm.toString(b));
    }

    function assertEq(address a, address b) internal pure {
        if (a != b) _fail("assertEq", vm.toString(a), vm.toString(b));
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        if (a != b) _fail("assertEq", vm.toString(a), vm.toString(b));
    }

    function assertEq(bool a, bool b) internal pure {
        if (a != b) _fail("assertEq", vm.toString(a), vm.toString(b));
    }

    function assertEq(string memory a, string memory b) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) _fail("assertEq", a, b);
    }

    function assertEq(bytes memory a, bytes memory b) internal pure {
        if (keccak256(a) != keccak256(b)) revert("assertEq(bytes) failed");
    }

    function assertLe(uint256 a, uint256 b) internal pure {
        if (a > b) _fail("assertLe", vm.toString(a), vm.toString(b));
    }

    function assertGe(uint256 a, uint256 b) internal pure {
        if (a < b) _fail("assertGe", vm.toString(a), vm.toString(b));
    }

    function assertTrue(bool c, string memory err) internal pure {
        if (!c) revert(err);
    }

    function assertFalse(bool c, string memory err) internal pure {
        if (c) revert(err);
    }

    function assertEq(uint256 a, uint256 b, string memory err) internal pure {
        if (a != b) _fail(err, vm.toString(a), vm.toString(b));
    }

    function assertEq(address a, address b, string memory err) internal pure {
        if (a != b) _fail(err, vm.toString(a), vm.toString(b));
    }

    function assertEq(bytes32 a, bytes32 b, string memory err) internal pure {
        if (a != b) _fail(err, vm.toString(a), vm.toString(b));
    }

    function assertEq(bool a, bool b, string memory err) internal pure {
        if (a != b) _fail(err, vm.toString(a), vm.toString(b));
    }

    function assertLe(uint256 a, uint256 b, string memory err) internal pure {
        if (a > b) _fail(err, vm.toString(a), vm.toString(b));
    }
}
