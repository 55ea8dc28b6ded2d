// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {OracleFixture, RecordingConsumer} from "./utils/OracleFixture.sol";
import {IInferenceOracle} from "../src/interfaces/IInferenceOracle.sol";
import {IDisputeResolver} from "../src/interfaces/IDisputeResolver.sol";

contract InferenceOracleTest is OracleFixture {
    function test_requestPullsFeeAndRecordsSpec() public {
        uint256 before = token.balanceOf(requester);
        uint256 id = _request(3, 5);
        assertEq(id, 1);
        assertEq(token.balanceOf(address(oracle)), FEE);
        assertEq(token.balanceOf(requester), before - FEE);
        IInferenceOracle.Request memory r = oracle.requestOf(id);
        assertEq(uint8(r.status), uint8(IInferenceOracle.Status.Open));
        assertEq(r.specHash, keccak256(abi.encode(MODEL, keccak256(INPUT), uint8(6))));
        assertEq(r.quorum, 3);
        assertEq(r.maxAnswers, 5);
    }

    function test_requestRejectsBadParameters() public {
        uint64 d = uint64(block.timestamp + 1 hours);
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidQuorum.selector, 0, 3));
        oracle.request(MODEL, INPUT, 6, 0, 3, FEE, d, 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidQuorum.selector, 4, 3));
        oracle.request(MODEL, INPUT, 6, 4, 3, FEE, d, 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidQuorum.selector, 2, 17));
        oracle.request(MODEL, INPUT, 6, 2, 17, FEE, d, 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidDeadline.selector, uint64(block.timestamp)));
        oracle.request(MODEL, INPUT, 6, 2, 3, FEE, uint64(block.timestamp), 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidSize.selector, 0, 8192));
        oracle.request(MODEL, "", 6, 2, 3, FEE, d, 0);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidSize.selector, 8193, 8192));
        oracle.request(MODEL, new bytes(8193), 6, 2, 3, FEE, d, 0);
        vm.expectRevert(IInferenceOracle.InvalidParameter.selector);
        oracle.request(MODEL, INPUT, 19, 2, 3, FEE, d, 0);
        vm.expectRevert(IInferenceOracle.InvalidParameter.selector);
        oracle.request(MODEL, INPUT, 6, 2, 3, FEE, d, 2_000_001);
        vm.stopPrank();
    }

    function test_kIdenticalAnswersFinalizeAndPayThem() public {
        uint256 id = _request(3, 5);
        bytes memory good = _output(42);
        _answer(0, id, good);
        _answer(1, id, _output(7));
        _answer(2, id, good);
        assertEq(uint8(oracle.requestOf(id).status), uint8(IInferenceOracle.Status.Open));
        _answer(3, id, good);
        IInferenceOracle.Request memory r = oracle.requestOf(id);
        assertEq(uint8(r.status), uint8(IInferenceOracle.Status.Finalized));
        assertEq(r.answer, keccak256(good));
        assertEq(token.balanceOf(_provider(0)), FEE / 3);
        assertEq(token.balanceOf(_provider(2)), FEE / 3);
        assertEq(token.balanceOf(_provider(3)), FEE / 3);
        assertEq(token.balanceOf(_provider(1)), 0, "the minority answer is not paid");
        assertEq(token.balanceOf(address(oracle)), 0);
        address[] memory backers = oracle.backersOf(id, keccak256(good));
        assertEq(backers.length, 3);
    }

    function test_roundingRemainderGoesBackToRequester() public {
        vm.prank(requester);
        uint256 id = oracle.request(MODEL, INPUT, 6, 3, 3, 10, uint64(block.timestamp + 1 hours), 0);
        uint256 before = token.balanceOf(requester);
        for (uint256 i; i < 3; ++i) _answer(i, id, _output(1));
        assertEq(token.balanceOf(_provider(0)), 3);
        assertEq(token.balanceOf(requester), before + 1);
        assertEq(token.balanceOf(address(oracle)), 0);
    }

    function test_answerChecks() public {
        uint256 id = _request(2, 3);
        bytes memory out = _output(5);
        // unstaked answerer
        uint256 stranger = 0xE1;
        bytes memory sig = _sig(stranger, id, out);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.StakeTooLow.selector, vm.addr(stranger), 0));
        oracle.answer(id, vm.addr(stranger), out, sig);
        // signature of another provider
        sig = _sig(keys[1], id, out);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.BadSignature.selector, _provider(0)));
        oracle.answer(id, _provider(0), out, sig);
        // signature over another output
        sig = _sig(keys[0], id, _output(6));
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.BadSignature.selector, _provider(0)));
        oracle.answer(id, _provider(0), out, sig);
        // empty output
        sig = _sig(keys[0], id, "");
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InvalidSize.selector, 0, 2048));
        oracle.answer(id, _provider(0), "", sig);
        // twice
        _answer(0, id, out);
        sig = _sig(keys[0], id, _output(9));
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.AlreadyAnswered.selector, id, _provider(0)));
        oracle.answer(id, _provider(0), _output(9), sig);
        // after the deadline
        vm.warp(block.timestamp + 2 hours);
        sig = _sig(keys[1], id, out);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.OutsideWindow.selector, id, oracle.requestOf(id).deadline)
        );
        oracle.answer(id, _provider(1), out, sig);
    }

    function test_relayedAnswerCountsForTheSigner() public {
        uint256 id = _request(1, 1);
        bytes memory out = _output(5);
        bytes memory sig = _sig(keys[4], id, out);
        vm.prank(makeAddr("relayer"));
        oracle.answer(id, _provider(4), out, sig);
        assertEq(token.balanceOf(_provider(4)), FEE);
    }

    function test_requesterCannotAnswerItsOwnRequest() public {
        vm.prank(_provider(0));
        token.approve(address(oracle), FEE);
        vm.prank(_provider(0));
        uint256 id = oracle.request(MODEL, INPUT, 6, 1, 2, 0, uint64(block.timestamp + 1 hours), 0);
        bytes memory sig = _sig(keys[0], id, _output(1));
        vm.expectRevert(IInferenceOracle.RequesterCannotAnswer.selector);
        oracle.answer(id, _provider(0), _output(1), sig);
    }

    function test_noAnswerAfterFinalization() public {
        uint256 id = _request(2, 4);
        _answer(0, id, _output(1));
        _answer(1, id, _output(1));
        bytes memory sig = _sig(keys[2], id, _output(1));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.WrongStatus.selector, id, IInferenceOracle.Status.Finalized)
        );
        oracle.answer(id, _provider(2), _output(1), sig);
    }

    function test_noConsensusRefunds() public {
        uint256 id = _request(2, 3);
        uint256 before = token.balanceOf(requester);
        _answer(0, id, _output(1));
        _answer(1, id, _output(2));
        _answer(2, id, _output(3));
        assertEq(uint8(oracle.requestOf(id).status), uint8(IInferenceOracle.Status.NoConsensus));
        assertEq(token.balanceOf(requester), before + FEE);
        assertEq(token.balanceOf(address(oracle)), 0);
    }

    function test_missedDeadlineRefundsOnlyAfterIt() public {
        uint256 id = _request(3, 3);
        _answer(0, id, _output(1));
        uint64 deadline = oracle.requestOf(id).deadline;
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.OutsideWindow.selector, id, deadline));
        oracle.refund(id);
        vm.warp(deadline + 1);
        uint256 before = token.balanceOf(requester);
        oracle.refund(id);
        assertEq(token.balanceOf(requester), before + FEE);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.WrongStatus.selector, id, IInferenceOracle.Status.Expired)
        );
        oracle.refund(id);
    }

    function test_consumerIsCalledBackWithTheAgreedOutput() public {
        RecordingConsumer c = new RecordingConsumer(oracle);
        vm.prank(admin);
        token.mint(address(c), FEE);
        uint256 id = c.ask(MODEL, INPUT, 2, 3, FEE, 200_000);
        _answer(0, id, _output(-5));
        _answer(1, id, _output(3));
        assertEq(c.calls(), 0);
        _answer(2, id, _output(-5));
        assertEq(c.calls(), 1);
        assertEq(c.lastId(), id);
        int256[] memory v = abi.decode(c.lastOutput(), (int256[]));
        assertEq(v[0], -5);
    }

    function test_failingCallbackDoesNotBlockPayment() public {
        RecordingConsumer c = new RecordingConsumer(oracle);
        vm.prank(admin);
        token.mint(address(c), 2 * FEE);
        c.setMode(1);
        uint256 id = c.ask(MODEL, INPUT, 1, 1, FEE, 200_000);
        vm.expectEmit(true, false, false, false, address(oracle));
        emit IInferenceOracle.CallbackFailed(id, "");
        _answer(0, id, _output(1));
        assertEq(uint8(oracle.requestOf(id).status), uint8(IInferenceOracle.Status.Finalized));
        assertEq(token.balanceOf(_provider(0)), FEE);
        c.setMode(2);
        id = c.ask(MODEL, INPUT, 1, 1, FEE, 100_000);
        _answer(1, id, _output(1));
        assertEq(token.balanceOf(_provider(1)), FEE, "a callback that burns its gas still lets the answer be paid");
    }

    function test_relayerCannotStarveTheCallback() public {
        RecordingConsumer c = new RecordingConsumer(oracle);
        vm.prank(admin);
        token.mint(address(c), FEE);
        uint256 id = c.ask(MODEL, INPUT, 1, 1, FEE, 1_000_000);
        bytes memory out = _output(1);
        bytes memory sig = _sig(keys[0], id, out);
        vm.prank(_provider(0));
        (bool ok,) = address(oracle).call{gas: 400_000}(
            abi.encodeCall(oracle.answer, (id, _provider(0), out, sig))
        );
        assertFalse(ok, "too little gas for the promised callback must revert the whole answer");
        assertEq(uint8(oracle.requestOf(id).status), uint8(IInferenceOracle.Status.Open));
        _answer(0, id, out);
        assertEq(c.calls(), 1);
    }

    function test_minorityAnswerIsDisputeEvidence() public {
        uint256 id = _request(2, 3);
        bytes memory good = _output(10);
        bytes memory bad = _output(11);
        _answer(0, id, bad);
        _answer(1, id, good);
        _answer(2, id, good);
        bytes32 task = oracle.taskIdOf(id);
        bytes32 spec = oracle.requestOf(id).specHash;
        IDisputeResolver.SignedResult memory accused =
            IDisputeResolver.SignedResult(_provider(0), keccak256(bad), _sig(keys[0], id, bad));
        IDisputeResolver.SignedResult[] memory quorum = new IDisputeResolver.SignedResult[](2);
        quorum[0] = IDisputeResolver.SignedResult(_provider(1), keccak256(good), _sig(keys[1], id, good));
        quorum[1] = IDisputeResolver.SignedResult(_provider(2), keccak256(good), _sig(keys[2], id, good));
        vm.prank(admin);
        token.mint(_provider(1), 10 ether);
        vm.startPrank(_provider(1));
        token.approve(address(resolver), 10 ether);
        uint256 dispute = resolver.accuse(task, spec, accused, quorum);
        vm.stopPrank();
        vm.warp(block.timestamp + 1 days + 1);
        resolver.resolve(dispute);
        assertEq(registry.stakeOf(_provider(0)), STAKE / 2);
    }

    function test_equivocationIsSlashed() public {
        uint256 id = _request(2, 3);
        bytes32 a = keccak256(_output(1));
        bytes32 b = keccak256(_output(2));
        bytes memory sigA = _sigHash(keys[0], id, a);
        bytes memory sigB = _sigHash(keys[0], id, b);
        address reporter = makeAddr("reporter");
        vm.prank(reporter);
        uint256 slashed = oracle.slashEquivocation(id, _provider(0), a, sigA, b, sigB);
        assertEq(slashed, STAKE / 2);
        assertEq(registry.stakeOf(_provider(0)), STAKE / 2);
        assertEq(token.balanceOf(reporter), STAKE / 4);
        vm.expectRevert(IInferenceOracle.NotEquivocation.selector);
        oracle.slashEquivocation(id, _provider(0), a, sigA, b, sigB);
    }

    function test_equivocationNeedsTwoValidDifferentSignatures() public {
        uint256 id = _request(2, 3);
        bytes32 a = keccak256(_output(1));
        bytes32 b = keccak256(_output(2));
        bytes memory sigA = _sigHash(keys[0], id, a);
        vm.expectRevert(IInferenceOracle.NotEquivocation.selector);
        oracle.slashEquivocation(id, _provider(0), a, sigA, a, sigA);
        bytes memory forged = _sigHash(keys[1], id, b);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.BadSignature.selector, _provider(0)));
        oracle.slashEquivocation(id, _provider(0), a, sigA, b, forged);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.WrongStatus.selector, 99, IInferenceOracle.Status.None)
        );
        oracle.slashEquivocation(99, _provider(0), a, sigA, b, forged);
        assertEq(registry.stakeOf(_provider(0)), STAKE);
    }

    /// @notice Fees are conserved: the quorum's shares plus the remainder equal the fee, for any fee and quorum.
    function testFuzz_feeIsConserved(uint256 fee, uint8 k, uint8 extra) public {
        k = uint8(bound(k, 1, 6));
        uint8 n = uint8(bound(uint256(k) + extra, k, 16));
        fee = bound(fee, 0, 1_000_000 ether);
        vm.prank(requester);
        uint256 id = oracle.request(MODEL, INPUT, 6, k, n, fee, uint64(block.timestamp + 1 hours), 0);
        uint256 before = token.balanceOf(requester);
        for (uint256 i; i < k; ++i) _answer(i, id, _output(7));
        uint256 paid;
        for (uint256 i; i < k; ++i) paid += token.balanceOf(_provider(i));
        assertEq(paid + token.balanceOf(requester) - before, fee);
        assertEq(token.balanceOf(address(oracle)), 0);
    }
}
