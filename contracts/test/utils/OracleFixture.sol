// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {DisputeResolver} from "../../src/DisputeResolver.sol";
import {InferenceOracle} from "../../src/InferenceOracle.sol";
import {IInferenceConsumer} from "../../src/interfaces/IInferenceOracle.sol";

/// @notice A consumer that records the answer it is called back with (or reverts, or burns gas, when told).
contract RecordingConsumer is IInferenceConsumer {
    InferenceOracle internal immutable oracle;
    uint256 public lastId;
    bytes public lastOutput;
    uint256 public calls;
    uint8 public mode; // 0 record, 1 revert, 2 burn all gas

    constructor(InferenceOracle oracle_) {
        oracle = oracle_;
    }

    function setMode(uint8 m) external {
        mode = m;
    }

    function ask(bytes32 model, bytes calldata input, uint8 quorum, uint8 maxAnswers, uint256 fee, uint32 gas_)
        external
        returns (uint256)
    {
        oracle.token().approve(address(oracle), fee);
        return oracle.request(model, input, 6, quorum, maxAnswers, fee, uint64(block.timestamp + 1 hours), gas_);
    }

    function onInferenceAnswer(uint256 id, bytes calldata output) external {
        require(msg.sender == address(oracle), "not the oracle");
        if (mode == 1) revert("consumer says no");
        if (mode == 2) {
            while (true) {}
        }
        lastId = id;
        lastOutput = output;
        ++calls;
    }
}

/// @notice Token, registry, resolver and oracle (with SLASHER_ROLE), six staked providers and signing helpers.
abstract contract OracleFixture is Test {
    MutiraoToken internal token;
    ProviderRegistry internal registry;
    DisputeResolver internal resolver;
    InferenceOracle internal oracle;

    address internal admin = makeAddr("admin");
    address internal requester = makeAddr("requester");
    uint256 internal constant STAKE = 100 ether;
    uint256 internal constant MIN_STAKE = 10 ether;
    uint256 internal constant FEE = 3 ether;
    bytes32 internal constant MODEL = keccak256("model.onnx");
    bytes internal constant INPUT = hex"93a4e3f5";
    uint256[6] internal keys = [uint256(0xD1), 0xD2, 0xD3, 0xD4, 0xD5, 0xD6];

    function setUp() public virtual {
        token = new MutiraoToken(admin);
        registry = new ProviderRegistry(token, 7 days, admin);
        resolver = new DisputeResolver(registry, token, 10 ether, 1 days, 1 days, 10 ether);
        oracle = new InferenceOracle(token, registry, resolver, MIN_STAKE);
        vm.startPrank(admin);
        registry.grantRole(registry.SLASHER_ROLE(), address(resolver));
        registry.grantRole(registry.SLASHER_ROLE(), address(oracle));
        token.mint(requester, 1_000_000 ether);
        vm.stopPrank();
        vm.prank(requester);
        token.approve(address(oracle), type(uint256).max);
        for (uint256 i; i < keys.length; ++i) {
            address a = vm.addr(keys[i]);
            vm.prank(admin);
            token.mint(a, STAKE);
            vm.startPrank(a);
            token.approve(address(registry), STAKE);
            registry.register(abi.encodePacked("peer", i));
            registry.stake(STAKE);
            vm.stopPrank();
        }
    }

    function _provider(uint256 i) internal view returns (address) {
        return vm.addr(keys[i]);
    }

    /// @dev Posts a request as `requester` (quorum k of n, FEE, one hour).
    function _request(uint8 k, uint8 n) internal returns (uint256 id) {
        vm.prank(requester);
        id = oracle.request(MODEL, INPUT, 6, k, n, FEE, uint64(block.timestamp + 1 hours), 200_000);
    }

    function _output(int256 v) internal pure returns (bytes memory) {
        int256[] memory a = new int256[](1);
        a[0] = v;
        return abi.encode(a);
    }

    /// @dev `key`'s signature over TaskResult(taskIdOf(id), specHash, keccak256(output)).
    function _sig(uint256 key, uint256 id, bytes memory output) internal view returns (bytes memory) {
        return _sigHash(key, id, keccak256(output));
    }

    function _sigHash(uint256 key, uint256 id, bytes32 outputHash) internal view returns (bytes memory) {
        bytes32 digest = resolver.resultDigest(oracle.taskIdOf(id), oracle.requestOf(id).specHash, outputHash);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Provider `i` answers `output` to `id` (sent by itself).
    function _answer(uint256 i, uint256 id, bytes memory output) internal {
        bytes memory sig = _sig(keys[i], id, output);
        vm.prank(_provider(i));
        oracle.answer(id, _provider(i), output, sig);
    }
}
