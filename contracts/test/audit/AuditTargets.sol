// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Deliberately vulnerable contracts for the audit bot (examples/audit-bot): each plants one risky pattern
// the bot must flag; CleanVault is the control that must yield no finding. Never deploy these.

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";

/// @notice Plants SELFDESTRUCT.
contract PlantedSelfDestruct {
    address internal immutable owner = msg.sender;

    function close() external {
        require(msg.sender == owner, "owner");
        selfdestruct(payable(owner));
    }
}

/// @notice Plants a DELEGATECALL to an address the caller chooses.
contract PlantedDelegatecall {
    uint256 public value;

    function run(address target, bytes calldata data) external {
        (bool ok,) = target.delegatecall(data);
        require(ok, "failed");
    }
}

/// @notice Plants authorisation by tx.origin.
contract PlantedTxOrigin {
    address public owner = msg.sender;
    uint256 public limit;

    function setLimit(uint256 l) external {
        require(tx.origin == owner, "owner");
        limit = l;
    }
}

/// @notice Plants the reentrancy shape: the balance is cleared after the external call.
contract PlantedReentrancy {
    mapping(address => uint256) public balances;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok,) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }
}

/// @notice Plants an unchecked low-level call: a failed send goes unnoticed.
contract PlantedUncheckedCall {
    uint256 public paid;

    function pay(address to, uint256 amount) external {
        paid += amount;
        // forge-lint: disable-next-line(unchecked-call)
        payable(to).call{value: amount}("");
    }
}

/// @notice The control: checks-effects-interactions, checked calls, msg.sender authorisation.
contract CleanVault {
    address public immutable owner = msg.sender;
    mapping(address => uint256) public balances;
    uint256 public cap = 100 ether;

    event Withdrawn(address indexed who, uint256 amount);

    function deposit() external payable {
        require(balances[msg.sender] + msg.value <= cap, "cap");
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        balances[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        emit Withdrawn(msg.sender, amount);
    }

    function setCap(uint256 c) external {
        require(msg.sender == owner, "owner");
        cap = c;
    }
}

/// @dev Makes forge compile these OpenZeppelin contracts, whose runtime code the audit bot also reads.
abstract contract OpenZeppelinArtefacts {
    ERC1967Proxy internal proxy;
    TimelockController internal timelock;
    VestingWallet internal vesting;
}
