// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../base/Test.sol";
import {MutiraoToken} from "../../src/MutiraoToken.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {DisputeResolver} from "../../src/DisputeResolver.sol";
import {InferenceOracle} from "../../src/InferenceOracle.sol";
import {IInferenceOracle} from "../../src/interfaces/IInferenceOracle.sol";
import {OracleHandler} from "./OracleHandler.sol";

/// @notice Invariants: fees are conserved, a request finalises at most once, nobody is paid without k agreeing
///         signed answers, and stake is slashed only with valid equivocation evidence.
contract InferenceOracleInvariantTest is Test {
    MutiraoToken internal token;
    ProviderRegistry internal registry;
    InferenceOracle internal oracle;
    OracleHandler internal handler;

    function setUp() public {
        address admin = makeAddr("admin");
        token = new MutiraoToken(admin);
        registry = new ProviderRegistry(token, 7 days, admin);
        DisputeResolver resolver = new DisputeResolver(registry, token, 10 ether, 1 days, 1 days, 10 ether);
        oracle = new InferenceOracle(token, registry, resolver, 10 ether);
        vm.startPrank(admin);
        registry.grantRole(registry.SLASHER_ROLE(), address(oracle));
        vm.stopPrank();
        handler = new OracleHandler(token, registry, resolver, oracle, admin);
        targetContract(address(handler));
    }

    /// @notice The oracle holds exactly the fees of open requests: fees in = paid + refunded + held.
    function invariant_feesConserved() public view {
        uint256 open;
        uint256 n = handler.requestCount();
        for (uint256 i; i < n; ++i) {
            IInferenceOracle.Request memory r = oracle.requestOf(handler.ids(i));
            if (r.status == IInferenceOracle.Status.Open) open += r.fee;
        }
        assertEq(token.balanceOf(address(oracle)), open);
        assertEq(handler.ghostFeesIn(), handler.ghostPaid() + handler.ghostRefunded() + open);
    }

    /// @notice Each request finalised at most once, and a finalised one has exactly k backers of its answer.
    function invariant_oneFinalizationWithKAgreeingAnswers() public view {
        uint256 n = handler.requestCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.ids(i);
            IInferenceOracle.Request memory r = oracle.requestOf(id);
            assertLe(handler.ghostFinalizations(id), 1);
            if (r.status != IInferenceOracle.Status.Finalized) continue;
            assertEq(handler.ghostFinalizations(id), 1);
            address[] memory backers = oracle.backersOf(id, r.answer);
            assertEq(backers.length, r.quorum);
            for (uint256 j; j < backers.length; ++j) assertEq(oracle.answerOf(id, backers[j]), r.answer);
        }
    }

    /// @notice Providers hold exactly what their own k-agreeing signed answers earned; no forged answer counted.
    function invariant_noPaymentWithoutKAgreeingSignatures() public view {
        assertEq(handler.ghostForgedAccepted(), 0);
        for (uint256 i; i < 4; ++i) {
            address p = handler.providers(i);
            assertEq(token.balanceOf(p), handler.ghostEarned(p));
        }
    }

    /// @notice Stake falls only by slashes made with valid equivocation evidence.
    function invariant_slashingOnlyWithValidEvidence() public view {
        for (uint256 i; i < 4; ++i) {
            address p = handler.providers(i);
            assertEq(registry.stakeOf(p), handler.STAKE() - handler.ghostSlashed(p));
        }
    }
}
