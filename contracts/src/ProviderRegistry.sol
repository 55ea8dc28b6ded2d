// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title ProviderRegistry
/// @notice Binds provider addresses to libp2p peer ids and holds their stake. Stake leaves through an
///         unbonding delay, during which it can still be slashed, so a cheater cannot run from a dispute.
contract ProviderRegistry is IProviderRegistry, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to slash (held by the dispute contract).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Longest accepted peer id, in bytes.
    uint256 public constant MAX_PEER_ID_LENGTH = 128;

    /// @notice The staking token (must support burn(uint256)).
    IERC20 public immutable token;
    /// @notice Seconds between requestUnstake and withdraw.
    uint64 public immutable unbondingDelay;

    struct Bond {
        uint256 staked;
        uint256 unbonding;
        uint64 unlockAt;
    }

    mapping(address => Bond) private _bonds;
    mapping(address => bytes) private _peerIds;
    mapping(bytes32 => address) private _ownerOfPeerId;

    /// @param token_ Staking token.
    /// @param unbondingDelay_ Seconds a provider waits between requestUnstake and withdraw.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants SLASHER_ROLE).
    constructor(IERC20 token_, uint64 unbondingDelay_, address admin) {
        token = token_;
        unbondingDelay = unbondingDelay_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IProviderRegistry
    function register(bytes calldata peerId) external {
        if (peerId.length == 0 || peerId.length > MAX_PEER_ID_LENGTH) revert InvalidPeerId();
        bytes32 key = keccak256(peerId);
        address owner = _ownerOfPeerId[key];
        if (owner != address(0) && owner != msg.sender) revert PeerIdTaken(owner);
        bytes storage old = _peerIds[msg.sender];
        if (old.length != 0) delete _ownerOfPeerId[keccak256(old)];
        _peerIds[msg.sender] = peerId;
        _ownerOfPeerId[key] = msg.sender;
        emit ProviderRegistered(msg.sender, peerId);
    }

    /// @inheritdoc IProviderRegistry
    function stake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        if (_peerIds[msg.sender].length == 0) revert NotRegistered(msg.sender);
        Bond storage b = _bonds[msg.sender];
        b.staked += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(msg.sender, amount, b.staked);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Bond storage b = _bonds[msg.sender];
        if (amount > b.staked) revert InsufficientStake(b.staked, amount);
        b.staked -= amount;
        b.unbonding += amount;
        uint64 unlockAt = uint64(block.timestamp) + unbondingDelay;
        b.unlockAt = unlockAt;
        emit UnstakeRequested(msg.sender, amount, unlockAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external returns (uint256 amount) {
        Bond storage b = _bonds[msg.sender];
        amount = b.unbonding;
        if (amount == 0 || block.timestamp < b.unlockAt) revert NothingToWithdraw(b.unlockAt);
        b.unbonding = 0;
        b.unlockAt = 0;
        token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 amount, address[] calldata beneficiaries, uint256 rewardBps)
        external
        onlyRole(SLASHER_ROLE)
        returns (uint256 slashed)
    {
        if (rewardBps > 10_000) revert InvalidRewardShare(rewardBps);
        Bond storage b = _bonds[provider];
        uint256 fromStake = amount < b.staked ? amount : b.staked;
        b.staked -= fromStake;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < b.unbonding ? rest : b.unbonding;
        b.unbonding -= fromUnbonding;
        slashed = fromStake + fromUnbonding;
        if (slashed == 0) revert ZeroAmount();

        uint256 rewarded;
        uint256 n = beneficiaries.length;
        if (n != 0 && rewardBps != 0) {
            uint256 each = (slashed * rewardBps / 10_000) / n;
            for (uint256 i; i < n; ++i) {
                token.safeTransfer(beneficiaries[i], each);
            }
            rewarded = each * n;
        }
        uint256 burned = slashed - rewarded;
        if (burned != 0) ERC20Burnable(address(token)).burn(burned);
        emit Slashed(provider, slashed, rewarded, burned, msg.sender);
    }

    /// @inheritdoc IProviderRegistry
    function stakeOf(address provider) external view returns (uint256) {
        return _bonds[provider].staked;
    }

    /// @inheritdoc IProviderRegistry
    function unbondingOf(address provider) external view returns (uint256 amount, uint64 unlockAt) {
        Bond storage b = _bonds[provider];
        return (b.unbonding, b.unlockAt);
    }

    /// @inheritdoc IProviderRegistry
    function peerIdOf(address provider) external view returns (bytes memory) {
        return _peerIds[provider];
    }

    /// @inheritdoc IProviderRegistry
    function providerOf(bytes calldata peerId) external view returns (address) {
        return _ownerOfPeerId[keccak256(peerId)];
    }
}
