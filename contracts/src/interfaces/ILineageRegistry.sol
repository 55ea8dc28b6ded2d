// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ILineageRegistry
/// @notice A public, write-once record binding a trained model's hash to the root of its lineage (the head
///         of the hash chain of every federated round that produced it). Anyone can anchor a model; the
///         first anchor wins and its sender is recorded as the model's owner.
interface ILineageRegistry {
    /// @notice The model hash or the lineage root is zero.
    error ZeroHash();
    /// @notice `modelHash` already has an anchored lineage (anchors are write-once).
    error AlreadyAnchored(bytes32 modelHash, bytes32 root, address owner);
    /// @notice The URI is longer than MAX_URI_LENGTH bytes.
    error UriTooLong(uint256 length);

    /// @notice `owner` anchored `root` as the lineage of `modelHash`; `uri` says where the full lineage can be fetched.
    event LineageAnchored(bytes32 indexed modelHash, bytes32 root, address indexed owner, string uri);

    /// @notice One anchored lineage.
    struct Anchor {
        bytes32 root;
        address owner;
        uint64 anchoredAt;
    }

    /// @notice Records `root` as the lineage root of `modelHash`, owned by the caller. Write-once per model.
    /// @param modelHash Hash of the final model weights (SHA-256 as bytes32).
    /// @param lineageRoot Head of the model's lineage hash chain (SHA-256 as bytes32).
    /// @param uri Optional location of the full lineage document (may be empty).
    function anchor(bytes32 modelHash, bytes32 lineageRoot, string calldata uri) external;

    /// @notice The lineage root anchored for `modelHash` (zero when none).
    function rootOf(bytes32 modelHash) external view returns (bytes32);

    /// @notice The full anchor record of `modelHash` (all zero when none).
    function anchorOf(bytes32 modelHash) external view returns (Anchor memory);
}
