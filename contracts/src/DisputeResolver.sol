// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {IDisputeResolver} from "./interfaces/IDisputeResolver.sol";

/// @title DisputeResolver
/// @notice Simplest sound dispute game for outvoted results. Holds SLASHER_ROLE on the registry.
contract DisputeResolver is IDisputeResolver, EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant TASK_RESULT_TYPEHASH =
        keccak256("TaskResult(bytes32 taskId,bytes32 inputHash,bytes32 outputHash)");
    uint256 public constant MIN_QUORUM = 2;
    uint256 public constant REFEREES = 3;
    /// @notice Share of the accused's stake held and, if upheld, slashed.
    uint256 public constant SLASH_BPS = 5_000;
    /// @notice Share of the slashed amount paid to the quorum signers; the rest is burned.
    uint256 public constant REWARD_BPS = 5_000;

    IProviderRegistry public immutable registry;
    IERC20 public immutable token;
    uint256 public immutable deposit;
    uint64 public immutable appealWindow;
    uint64 public immutable voteWindow;
    uint256 public immutable minRefereeStake;

    struct Dispute {
        Status status;
        address accused;
        address accuser;
        bytes32 accusedOutput;
        bytes32 quorumOutput;
        uint64 deadline;
        uint256 held;
        address[] verifiers;
        address[] referees;
        uint8 votesForAccused;
        uint8 votes;
    }

    mapping(uint256 => Dispute) private _disputes;
    mapping(uint256 => mapping(address => bool)) private _voted;
    mapping(bytes32 => bool) public disputed;
    address[] public referees;
    mapping(address => bool) public isReferee;
    uint256 public disputeCount;

    constructor(
        IProviderRegistry registry_,
        IERC20 token_,
        uint256 deposit_,
        uint64 appealWindow_,
        uint64 voteWindow_,
        uint256 minRefereeStake_
    ) EIP712("MutiraoDisputes", "1") {
        registry = registry_;
        token = token_;
        deposit = deposit_;
        appealWindow = appealWindow_;
        voteWindow = voteWindow_;
        minRefereeStake = minRefereeStake_;
    }

    /// @notice EIP-712 digest a provider signs for a result.
    function resultDigest(bytes32 taskId, bytes32 inputHash, bytes32 outputHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(TASK_RESULT_TYPEHASH, taskId, inputHash, outputHash)));
    }

    function _check(bytes32 taskId, bytes32 inputHash, SignedResult calldata r) private view {
        address signer = ECDSA.recover(resultDigest(taskId, inputHash, r.outputHash), r.signature);
        if (signer != r.provider) revert BadSignature(r.provider);
    }

    /// @inheritdoc IDisputeResolver
    function accuse(bytes32 taskId, bytes32 inputHash, SignedResult calldata accused, SignedResult[] calldata quorum)
        external
        returns (uint256 id)
    {
        bytes32 key = keccak256(abi.encode(taskId, inputHash, accused.provider));
        if (disputed[key]) revert AlreadyDisputed(key);
        disputed[key] = true;
        address[] memory verifiers = _evidence(taskId, inputHash, accused, quorum);
        uint256 held = _hold(accused.provider);
        id = ++disputeCount;
        Dispute storage d = _disputes[id];
        d.status = Status.Open;
        d.accused = accused.provider;
        d.accuser = msg.sender;
        d.accusedOutput = accused.outputHash;
        d.quorumOutput = quorum[0].outputHash;
        d.deadline = uint64(block.timestamp) + appealWindow;
        d.held = held;
        d.verifiers = verifiers;
        emit Accused(id, accused.provider, msg.sender, taskId, held);
    }

    /// @dev Checks every signature and that the quorum agrees on an output other than the accused's.
    function _evidence(bytes32 taskId, bytes32 inputHash, SignedResult calldata accused, SignedResult[] calldata quorum)
        private
        view
        returns (address[] memory verifiers)
    {
        if (quorum.length < MIN_QUORUM) revert InvalidQuorum();
        _check(taskId, inputHash, accused);
        verifiers = new address[](quorum.length);
        for (uint256 i; i < quorum.length; ++i) {
            SignedResult calldata q = quorum[i];
            if (q.provider == accused.provider) revert InvalidQuorum();
            for (uint256 j; j < i; ++j) {
                if (verifiers[j] == q.provider) revert InvalidQuorum();
            }
            if (q.outputHash != quorum[0].outputHash || q.outputHash == accused.outputHash) {
                revert OutputsDoNotConflict();
            }
            _check(taskId, inputHash, q);
            verifiers[i] = q.provider;
        }
    }

    /// @dev Pulls the accuser's deposit and moves SLASH_BPS of the accused's stake here until resolution.
    function _hold(address accused) private returns (uint256 held) {
        uint256 amount = registry.stakeOf(accused) * SLASH_BPS / 10_000;
        if (amount == 0) revert NothingToSlash(accused);
        token.safeTransferFrom(msg.sender, address(this), deposit);
        address[] memory self = new address[](1);
        self[0] = address(this);
        held = registry.slash(accused, amount, self, 10_000);
    }

    /// @inheritdoc IDisputeResolver
    function registerReferee() external {
        uint256 s = registry.stakeOf(msg.sender);
        if (s < minRefereeStake) revert StakeTooLow(s);
        if (!isReferee[msg.sender]) {
            isReferee[msg.sender] = true;
            referees.push(msg.sender);
        }
    }

    /// @inheritdoc IDisputeResolver
    function appeal(uint256 id) external {
        Dispute storage d = _disputes[id];
        if (d.status != Status.Open) revert WrongStatus(id, d.status);
        if (msg.sender != d.accused) revert NotAllowed(msg.sender);
        if (block.timestamp > d.deadline) revert OutsideWindow(id);
        d.referees = _draw(d, uint256(keccak256(abi.encode(blockhash(block.number - 1), id))));
        d.status = Status.Appealed;
        d.deadline = uint64(block.timestamp) + voteWindow;
        emit Appealed(id, d.referees);
    }

    /// @dev REFEREES distinct staked referees, none a party to the dispute, by a walk from `seed`.
    function _draw(Dispute storage d, uint256 seed) private view returns (address[] memory panel) {
        uint256 n = referees.length;
        address[] memory pool = new address[](n);
        uint256 m;
        for (uint256 i; i < n; ++i) {
            address r = referees[i];
            if (_isParty(d, r) || registry.stakeOf(r) < minRefereeStake) continue;
            pool[m++] = r;
        }
        if (m < REFEREES) revert NotEnoughReferees(m);
        panel = new address[](REFEREES);
        for (uint256 k; k < REFEREES; ++k) {
            uint256 pick = uint256(keccak256(abi.encode(seed, k))) % (m - k);
            panel[k] = pool[pick];
            pool[pick] = pool[m - k - 1];
        }
    }

    function _isParty(Dispute storage d, address a) private view returns (bool) {
        if (a == d.accused || a == d.accuser) return true;
        for (uint256 i; i < d.verifiers.length; ++i) if (d.verifiers[i] == a) return true;
        return false;
    }

    /// @inheritdoc IDisputeResolver
    function vote(uint256 id, bytes32 outputHash) external {
        Dispute storage d = _disputes[id];
        if (d.status != Status.Appealed) revert WrongStatus(id, d.status);
        if (block.timestamp > d.deadline) revert OutsideWindow(id);
        bool drawn;
        for (uint256 i; i < d.referees.length; ++i) if (d.referees[i] == msg.sender) drawn = true;
        if (!drawn || _voted[id][msg.sender]) revert NotAllowed(msg.sender);
        _voted[id][msg.sender] = true;
        d.votes++;
        if (outputHash == d.accusedOutput) d.votesForAccused++;
        emit Voted(id, msg.sender, outputHash);
    }

    /// @inheritdoc IDisputeResolver
    function resolve(uint256 id) external {
        Dispute storage d = _disputes[id];
        if (d.status == Status.Open) {
            if (block.timestamp <= d.deadline) revert OutsideWindow(id);
            _uphold(id, d);
        } else if (d.status == Status.Appealed) {
            if (d.votes < REFEREES && block.timestamp <= d.deadline) revert OutsideWindow(id);
            if (d.votesForAccused * 2 > REFEREES) _reverse(id, d);
            else _uphold(id, d);
        } else {
            revert WrongStatus(id, d.status);
        }
    }

    /// @dev The accusation stands: reward the quorum signers, burn the rest, return the accuser's deposit.
    function _uphold(uint256 id, Dispute storage d) private {
        d.status = Status.Upheld;
        uint256 n = d.verifiers.length;
        uint256 each = (d.held * REWARD_BPS / 10_000) / n;
        for (uint256 i; i < n; ++i) token.safeTransfer(d.verifiers[i], each);
        uint256 burned = d.held - each * n;
        if (burned != 0) ERC20Burnable(address(token)).burn(burned);
        token.safeTransfer(d.accuser, deposit);
        emit Resolved(id, Status.Upheld, each * n, burned);
    }

    /// @dev The referees side with the accused: return its held stake (to its wallet) and give it the
    ///      accuser's deposit as compensation.
    function _reverse(uint256 id, Dispute storage d) private {
        d.status = Status.Reversed;
        token.safeTransfer(d.accused, d.held + deposit);
        emit Resolved(id, Status.Reversed, 0, 0);
    }

    /// @notice A dispute's parties, state and panel.
    function disputeOf(uint256 id) external view returns (Dispute memory) {
        return _disputes[id];
    }
}
