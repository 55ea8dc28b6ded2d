// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {VM, Vm} from "../../test/base/Vm.sol";

/// @title Script
/// @notice Minimal base for forge scripts: the cheatcodes.
abstract contract Script {
    Vm internal constant vm = VM;
}
