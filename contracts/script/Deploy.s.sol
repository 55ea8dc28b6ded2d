// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Script} from "./base/Script.sol";
import {MutiraoToken} from "../src/MutiraoToken.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {JobEscrow} from "../src/JobEscrow.sol";
import {LineageRegistry} from "../src/LineageRegistry.sol";

/// @title Deploy
/// @notice Deploys MutiraoToken, ProviderRegistry, JobEscrow and LineageRegistry and writes their addresses to
///         `deployments/<chainId>.json` (the format `src/ledger` reads).
/// @dev Environment: ADMIN (default: the broadcaster), UNBONDING_DELAY (seconds, default 7 days),
///      REDEEM_WINDOW (seconds, default 3 days), INITIAL_MINT (base units to ADMIN, default 0).
///      forge script script/Deploy.s.sol --rpc-url $RPC_URL --private-key $PRIVATE_KEY --broadcast \
///        --use ../scripts/solc-shim.cjs --offline
contract Deploy is Script {
    /// @notice Deploys the contracts and records their addresses.
    function run()
        external
        returns (MutiraoToken token, ProviderRegistry registry, JobEscrow escrow, LineageRegistry lineage)
    {
        vm.startBroadcast();
        (, address sender,) = vm.readCallers();
        address admin = vm.envOr("ADMIN", sender);
        uint64 unbonding = uint64(vm.envOr("UNBONDING_DELAY", uint256(7 days)));
        uint64 window = uint64(vm.envOr("REDEEM_WINDOW", uint256(3 days)));
        uint256 initialMint = vm.envOr("INITIAL_MINT", uint256(0));

        token = new MutiraoToken(sender);
        registry = new ProviderRegistry(token, unbonding, admin);
        escrow = new JobEscrow(token, window, admin);
        lineage = new LineageRegistry();
        if (initialMint != 0) token.mint(admin, initialMint);
        if (admin != sender) {
            token.grantRole(token.DEFAULT_ADMIN_ROLE(), admin);
            token.grantRole(token.MINTER_ROLE(), admin);
            token.renounceRole(token.MINTER_ROLE(), sender);
            token.renounceRole(token.DEFAULT_ADMIN_ROLE(), sender);
        }
        vm.stopBroadcast();

        string memory key = "deployments";
        vm.serializeUint(key, "chainId", block.chainid);
        vm.serializeAddress(key, "token", address(token));
        vm.serializeAddress(key, "registry", address(registry));
        vm.serializeAddress(key, "escrow", address(escrow));
        string memory json = vm.serializeAddress(key, "lineage", address(lineage));
        string memory path = string.concat("deployments/", vm.toString(block.chainid), ".json");
        vm.writeJson(json, path);
    }
}
