// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";

/// @notice Deploys the three contracts and offers helpers to open jobs and sign vouchers and releases.
abstract contract Fixture is Test {
    MutiraoToken internal token;
    ProviderRegistry internal registry;
    JobEscrow internal escrow;

    address internal admin = makeAddr("admin");
    uint256 internal requesterKey = 0xA11CE;
    address internal requester = vm.addr(0xA11CE);
    uint256 internal providerKey = 0xB0B1;
    uint256 internal provider2Key = 0xB0B2;
    address internal provider = vm.addr(0xB0B1);
    address internal provider2 = vm.addr(0xB0B2);

    uint64 internal constant UNBONDING = 7 days;
    uint64 internal constant REDEEM_WINDOW = 3 days;
    uint256 internal constant PRICE = 3e15;
    uint256 internal constant BUDGET = 1_000 * PRICE;

    function setUp() public virtual {
        token = new MutiraoToken(admin);
        registry = new ProviderRegistry(token, UNBONDING, admin);
        escrow = new JobEscrow(token, REDEEM_WINDOW, admin);
        vm.prank(admin);
        token.mint(requester, 1_000_000 ether);
        vm.prank(requester);
        token.approve(address(escrow), type(uint256).max);
    }

    /// @dev Opens a job with `provider` and `provider2` as its payees.
    function _open() internal returns (uint256 jobId) {
        jobId = _openBare();
        address[] memory payees = new address[](2);
        (payees[0], payees[1]) = (provider, provider2);
        vm.prank(requester);
        escrow.addPayees(jobId, payees);
    }

    /// @dev Opens a job without payees.
    function _openBare() internal returns (uint256 jobId) {
        vm.prank(requester);
        jobId = escrow.openJob(BUDGET, PRICE, uint64(block.timestamp + 1 days), keccak256("spec"));
    }

    /// @dev A release of `jobId` by `key`'s address for `units`, and its signature.
    function _release(uint256 jobId, uint256 key, uint256 units, bytes32 root)
        internal
        view
        returns (IJobEscrow.Release memory r, bytes memory sig)
    {
        r = IJobEscrow.Release(jobId, vm.addr(key), units, root);
        (uint8 sv, bytes32 rr, bytes32 s) = vm.sign(key, escrow.releaseDigest(r));
        sig = abi.encodePacked(rr, s, sv);
    }

    function _voucher(uint256 jobId, address to, uint256 units, bytes32 root)
        internal
        pure
        returns (IJobEscrow.Voucher memory)
    {
        return IJobEscrow.Voucher(jobId, to, units, units * PRICE, root);
    }

    function _sign(uint256 key, IJobEscrow.Voucher memory v) internal view returns (bytes memory) {
        (uint8 sv, bytes32 r, bytes32 s) = vm.sign(key, escrow.voucherDigest(v));
        return abi.encodePacked(r, s, sv);
    }
}
