// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {DisputeResolver} from "../../src/DisputeResolver.sol";
import {InferenceOracle} from "../../src/InferenceOracle.sol";
import {IInferenceOracle} from "../../src/interfaces/IInferenceOracle.sol";

/// @notice Drives InferenceOracle with random requests, honest, lying and forged answers, refunds after
///         random waits and equivocation reports (valid and forged). It keeps its own account of who should
///         have been paid and slashed, computed from what it sent, for the invariants to compare with the chain.
contract OracleHandler is Test {
    MutiraoToken internal immutable token;
    ProviderRegistry internal immutable registry;
    DisputeResolver internal immutable resolver;
    InferenceOracle internal immutable oracle;
    address internal immutable minter;

    uint256[4] internal keys = [uint256(0xE1), 0xE2, 0xE3, 0xE4];
    address public constant REQUESTER = address(0xA11);
    address public constant REPORTER = address(0x7E7);
    uint256 public constant STAKE = 100 ether;

    uint256 public ghostFeesIn;
    uint256 public ghostPaid;
    uint256 public ghostRefunded;
    uint256 public ghostForgedAccepted;
    uint256[] public ids;
    mapping(address => uint256) public ghostEarned;
    mapping(address => uint256) public ghostSlashed;
    mapping(uint256 => uint256) public ghostFinalizations;
    mapping(uint256 => mapping(bytes32 => address[])) internal _sent;

    constructor(
        MutiraoToken token_,
        ProviderRegistry registry_,
        DisputeResolver resolver_,
        InferenceOracle oracle_,
        address minter_
    ) {
        (token, registry, resolver, oracle, minter) = (token_, registry_, resolver_, oracle_, minter_);
        for (uint256 i; i < keys.length; ++i) {
            address a = vm.addr(keys[i]);
            vm.prank(minter);
            token.mint(a, STAKE);
            vm.startPrank(a);
            token.approve(address(registry), STAKE);
            registry.register(abi.encodePacked("peer", i));
            registry.stake(STAKE);
            vm.stopPrank();
        }
        vm.prank(REQUESTER);
        token.approve(address(oracle), type(uint256).max);
    }

    function providers(uint256 i) external view returns (address) {
        return vm.addr(keys[i]);
    }

    function requestCount() external view returns (uint256) {
        return ids.length;
    }

    function request(uint8 k, uint8 extra, uint256 fee) external {
        k = uint8(bound(k, 1, 3));
        uint8 n = uint8(bound(uint256(k) + extra, k, 5));
        fee = bound(fee, 0, 1_000 ether);
        vm.prank(minter);
        token.mint(REQUESTER, fee);
        vm.prank(REQUESTER);
        uint256 id = oracle.request(keccak256("m"), hex"01", 6, k, n, fee, uint64(block.timestamp + 1 hours), 0);
        ids.push(id);
        ghostFeesIn += fee;
    }

    /// @notice Provider `who` answers request `which`: the true value, a lie, or a signature forged by another key.
    function answer(uint256 which, uint256 who, uint8 kind) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        address provider = vm.addr(keys[who % 4]);
        bytes memory output = abi.encode(kind % 3 == 1 ? int256(666) : int256(1));
        uint256 signer = kind % 3 == 2 ? keys[(who + 1) % 4] : keys[who % 4];
        bytes memory sig = _sign(signer, id, keccak256(output));
        IInferenceOracle.Request memory before = oracle.requestOf(id);
        try oracle.answer(id, provider, output, sig) {
            if (signer != keys[who % 4]) {
                ++ghostForgedAccepted;
                return;
            }
            address[] storage sent = _sent[id][keccak256(output)];
            sent.push(provider);
            if (sent.length == before.quorum) {
                ++ghostFinalizations[id];
                uint256 each = before.fee / sent.length;
                for (uint256 i; i < sent.length; ++i) ghostEarned[sent[i]] += each;
                ghostPaid += each * sent.length;
                ghostRefunded += before.fee - each * sent.length;
            } else if (before.answers + 1 == before.maxAnswers) {
                ghostRefunded += before.fee;
            }
        } catch {}
    }

    function refund(uint256 which, uint32 wait) external {
        if (ids.length == 0) return;
        vm.warp(block.timestamp + bound(wait, 0, 2 hours));
        uint256 id = ids[which % ids.length];
        uint256 fee = oracle.requestOf(id).fee;
        try oracle.refund(id) {
            ghostRefunded += fee;
        } catch {}
    }

    /// @notice Reports provider `who` for equivocating on `which`, with both signatures its own or one forged.
    function equivocate(uint256 which, uint256 who, bool forged) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        address provider = vm.addr(keys[who % 4]);
        bytes32 a = keccak256("a");
        bytes32 b = keccak256("b");
        bytes memory sigA = _sign(keys[who % 4], id, a);
        bytes memory sigB = _sign(forged ? keys[(who + 1) % 4] : keys[who % 4], id, b);
        uint256 stakeBefore = registry.stakeOf(provider);
        vm.prank(REPORTER);
        try oracle.slashEquivocation(id, provider, a, sigA, b, sigB) returns (uint256 slashed) {
            if (forged) ++ghostForgedAccepted;
            else ghostSlashed[provider] += slashed;
            assertEq(stakeBefore - registry.stakeOf(provider), slashed);
        } catch {}
    }

    function _sign(uint256 key, uint256 id, bytes32 outputHash) internal view returns (bytes memory) {
        bytes32 digest = resolver.resultDigest(oracle.taskIdOf(id), oracle.requestOf(id).specHash, outputHash);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }
}
