// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILineageRegistry} from "./interfaces/ILineageRegistry.sol";

/// @title LineageRegistry
/// @notice Write-once anchors of model lineages: `anchor(modelHash, root, uri)` by anyone, first one wins.
/// @dev No admin, no upgrade path, no token: the registry only proves that a given root was published for a
///      model hash at a given time by a given address. Verifiers recompute the root from the lineage document
///      and compare it with `rootOf(modelHash)`.
contract LineageRegistry is ILineageRegistry {
    /// @notice Longest accepted URI, in bytes (it lives only in the event log).
    uint256 public constant MAX_URI_LENGTH = 512;

    mapping(bytes32 modelHash => Anchor) private _anchors;

    /// @inheritdoc ILineageRegistry
    function anchor(bytes32 modelHash, bytes32 lineageRoot, string calldata uri) external {
        if (modelHash == bytes32(0) || lineageRoot == bytes32(0)) revert ZeroHash();
        if (bytes(uri).length > MAX_URI_LENGTH) revert UriTooLong(bytes(uri).length);
        Anchor storage a = _anchors[modelHash];
        if (a.root != bytes32(0)) revert AlreadyAnchored(modelHash, a.root, a.owner);
        a.root = lineageRoot;
        a.owner = msg.sender;
        // forge-lint: disable-next-line(unsafe-typecast)
        a.anchoredAt = uint64(block.timestamp); // fits until year 2^64 s
        emit LineageAnchored(modelHash, lineageRoot, msg.sender, uri);
    }

    /// @inheritdoc ILineageRegistry
    function rootOf(bytes32 modelHash) external view returns (bytes32) {
        return _anchors[modelHash].root;
    }

    /// @inheritdoc ILineageRegistry
    function anchorOf(bytes32 modelHash) external view returns (Anchor memory) {
        return _anchors[modelHash];
    }
}
