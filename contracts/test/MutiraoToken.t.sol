// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice MutiraoToken: only minters mint; EIP-2612 permit sets allowances.
contract MutiraoTokenTest is Fixture {
    function test_mint_onlyMinter() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), token.MINTER_ROLE()
            )
        );
        token.mint(address(this), 1);
        vm.prank(admin);
        token.mint(address(this), 5);
        assertEq(token.balanceOf(address(this)), 5);
    }

    function testFuzz_permit_setsAllowance(uint256 value, uint32 ttl) public {
        uint256 key = 0xC0FFEE;
        address owner = vm.addr(key);
        uint256 deadline = block.timestamp + ttl;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                address(escrow),
                value,
                0,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(owner, address(escrow), value, deadline, v, r, s);
        assertEq(token.allowance(owner, address(escrow)), value);
        assertEq(token.nonces(owner), 1);
    }
}
