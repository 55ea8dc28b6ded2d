// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IProviderRegistry
/// @notice Providers bind their Ethereum address to their libp2p peer id and stake tokens as a bond
///         that a dispute contract (holder of SLASHER_ROLE) can slash.
interface IProviderRegistry {
    /// @notice The peer id is empty or longer than MAX_PEER_ID_LENGTH bytes.
    error InvalidPeerId();
    /// @notice The peer id is already bound to another address.
    error PeerIdTaken(address owner);
    /// @notice The caller has not registered a peer id.
    error NotRegistered(address provider);
    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();
    /// @notice The provider asked to unstake more than it has staked.
    error InsufficientStake(uint256 staked, uint256 requested);
    /// @notice Nothing is unbonding, or the unbonding delay has not passed yet.
    error NothingToWithdraw(uint256 unlockAt);
    /// @notice The reward share of a slash is above 100%.
    error InvalidRewardShare(uint256 rewardBps);

    /// @notice A provider bound `peerId` to its address (first registration or update).
    event ProviderRegistered(address indexed provider, bytes peerId);
    /// @notice A provider added `amount` to its stake.
    event Staked(address indexed provider, uint256 amount, uint256 totalStake);
    /// @notice A provider moved `amount` from its stake into unbonding, withdrawable at `unlockAt`.
    event UnstakeRequested(address indexed provider, uint256 amount, uint64 unlockAt);
    /// @notice A provider withdrew `amount` of unbonded tokens.
    event Withdrawn(address indexed provider, uint256 amount);
    /// @notice `amount` of a provider's bond was slashed: `rewarded` went to beneficiaries, the rest burned.
    event Slashed(address indexed provider, uint256 amount, uint256 rewarded, uint256 burned, address indexed slasher);

    /// @notice Binds the caller's address to a libp2p peer id (UTF-8 bytes of its string form), replacing any earlier one.
    function register(bytes calldata peerId) external;
    /// @notice Adds `amount` tokens (pulled with transferFrom) to the caller's stake.
    function stake(uint256 amount) external;
    /// @notice Moves `amount` from stake into unbonding; restarts the unbonding timer for all unbonding tokens.
    function requestUnstake(uint256 amount) external;
    /// @notice Withdraws all unbonding tokens once the unbonding delay has passed.
    function withdraw() external returns (uint256 amount);
    /// @notice Slashes up to `amount` of `provider`'s stake, then of its unbonding tokens; pays `rewardBps`
    ///         of the slashed amount in equal parts to `beneficiaries` and burns the rest. SLASHER_ROLE only.
    /// @return slashed The amount actually slashed (capped by the provider's bond).
    function slash(address provider, uint256 amount, address[] calldata beneficiaries, uint256 rewardBps)
        external
        returns (uint256 slashed);

    /// @notice Active stake of `provider` (excludes unbonding tokens).
    function stakeOf(address provider) external view returns (uint256);
    /// @notice Unbonding tokens of `provider` and the time they can be withdrawn.
    function unbondingOf(address provider) external view returns (uint256 amount, uint64 unlockAt);
    /// @notice The libp2p peer id bound to `provider` (empty if unregistered).
    function peerIdOf(address provider) external view returns (bytes memory);
    /// @notice The address bound to `peerId` (zero if none).
    function providerOf(bytes calldata peerId) external view returns (address);
}
