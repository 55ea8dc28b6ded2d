// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Script} from "./base/Script.sol";
import {MutiraoToken} from "../src/MutiraoToken.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {JobEscrow} from "../src/JobEscrow.sol";
import {LineageRegistry} from "../src/LineageRegistry.sol";
import {DisputeResolver} from "../src/DisputeResolver.sol";
import {InferenceOracle} from "../src/InferenceOracle.sol";

/// @title Deploy
/// @notice Deploys MutiraoToken, ProviderRegistry, JobEscrow, LineageRegistry, DisputeResolver and InferenceOracle
///         and writes
///         their addresses to `deployments/<chainId>.json` (the format `src/ledger` reads).
/// @dev Environment: ADMIN (default: the broadcaster), UNBONDING_DELAY (seconds, default 7 days),
///      REDEEM_WINDOW (seconds, default 3 days), INITIAL_MINT (base units to ADMIN, default 0),
///      DISPUTE_DEPOSIT (default 10e18), APPEAL_WINDOW (default 3 days), VOTE_WINDOW (default 1 day),
///      MIN_REFEREE_STAKE (default 100e18) — the defaults of `DEFAULT_DISPUTE_PARAMS` in src/ledger —,
///      ORACLE_MIN_STAKE (default 10e18, `DEFAULT_ORACLE_MIN_STAKE`).
///      The resolver and the oracle get the registry's SLASHER_ROLE when ADMIN is the broadcaster; otherwise ADMIN must
///      grant it (`registry.grantRole(SLASHER_ROLE, resolver)`, the same for the oracle).
///      forge script script/Deploy.s.sol --rpc-url $RPC_URL --private-key $PRIVATE_KEY --broadcast \
///        --use ../scripts/solc-shim.cjs --offline
contract Deploy is Script {
    /// @notice Deploys the contracts and records their addresses.
    function run()
        external
        returns (
            MutiraoToken token,
            ProviderRegistry registry,
            JobEscrow escrow,
            LineageRegistry lineage,
            DisputeResolver resolver,
            InferenceOracle oracle
        )
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
        resolver = new DisputeResolver(
            registry,
            token,
            vm.envOr("DISPUTE_DEPOSIT", uint256(10e18)),
            uint64(vm.envOr("APPEAL_WINDOW", uint256(3 days))),
            uint64(vm.envOr("VOTE_WINDOW", uint256(1 days))),
            vm.envOr("MIN_REFEREE_STAKE", uint256(100e18))
        );
        oracle = new InferenceOracle(token, registry, resolver, vm.envOr("ORACLE_MIN_STAKE", uint256(10e18)));
        if (admin == sender) {
            registry.grantRole(registry.SLASHER_ROLE(), address(resolver));
            registry.grantRole(registry.SLASHER_ROLE(), address(oracle));
        }
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
        vm.serializeAddress(key, "lineage", address(lineage));
        vm.serializeAddress(key, "disputeResolver", address(resolver));
        string memory json = vm.serializeAddress(key, "oracle", address(oracle));
        string memory path = string.concat("deployments/", vm.toString(block.chainid), ".json");
        vm.writeJson(json, path);
    }
}
