// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";

/// @title BackingEigen (bEIGEN)
/// @notice The staking token that forks. ERC20Votes on a timestamp clock; minters set by governance; every
/// account's balance is checkpointed (OpenZeppelin Checkpoints, keyed by block.timestamp) so a fork can pay
/// each holder its balance at a challenge's timepoint without trusting an off-chain list.
/// @dev Timestamps strictly increase from block to block, so a checkpoint keyed `t` is the balance at the end
/// of the block with timestamp `t`. A fork token is another BackingEigen whose only minter is its distributor.
contract BackingEigen is ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, Ownable, IBackingEigen {
    using Checkpoints for Checkpoints.Trace208;

    mapping(address account => bool) public isMinter;
    mapping(address account => Checkpoints.Trace208) private _balanceHistory;

    /// @param name_ Token name ("Backing Eigen" at genesis).
    /// @param symbol_ Token symbol ("bEIGEN" at genesis).
    /// @param owner_ Governance: sets minters.
    /// @param initialMinter A minter from the start (a fork's distributor), or address(0).
    /// @param initialHolder Receives `initialSupply`, or address(0) when `initialSupply` is 0.
    /// @param initialSupply Tokens minted at construction.
    constructor(
        string memory name_,
        string memory symbol_,
        address owner_,
        address initialMinter,
        address initialHolder,
        uint256 initialSupply
    ) ERC20(name_, symbol_) ERC20Permit(name_) Ownable(owner_) {
        if (initialMinter != address(0)) {
            isMinter[initialMinter] = true;
            emit IsMinterModified(initialMinter, true);
        }
        if (initialSupply > 0) _mint(initialHolder, initialSupply);
    }

    // --- Minting -------------------------------------------------------------------------------------------

    /// @inheritdoc IBackingEigen
    function setIsMinter(address minter, bool isMinter_) external onlyOwner {
        isMinter[minter] = isMinter_;
        emit IsMinterModified(minter, isMinter_);
    }

    /// @inheritdoc IBackingEigen
    function mint(address to, uint256 amount) external {
        if (!isMinter[msg.sender]) revert NotMinter(msg.sender);
        _mint(to, amount);
    }

    /// @inheritdoc IBackingEigen
    function burn(uint256 amount) public override(ERC20Burnable, IBackingEigen) {
        super.burn(amount);
    }

    /// @inheritdoc IBackingEigen
    function burnFrom(address account, uint256 amount) public override(ERC20Burnable, IBackingEigen) {
        super.burnFrom(account, amount);
    }

    // --- History -------------------------------------------------------------------------------------------

    /// @inheritdoc IBackingEigen
    function getPastBalance(address account, uint256 timepoint) external view returns (uint256) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert FutureLookup(timepoint, now_);
        return _balanceHistory[account].upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /// @inheritdoc IBackingEigen
    function getPastTotalSupply(uint256 timepoint) public view override(Votes, IBackingEigen) returns (uint256) {
        return super.getPastTotalSupply(timepoint);
    }

    /// @notice The clock is block.timestamp (ERC-6372), as deployed bEIGEN.
    function clock() public view override(Votes, IBackingEigen) returns (uint48) {
        // ERC-6372 timestamp clock for votes checkpoints, by design
        // solhint-disable-next-line not-rely-on-time
        return SafeCast.toUint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice Nonces for permit and vote delegation signatures.
    function nonces(address owner_) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner_);
    }

    /// @dev The one place balances change: vote accounting (ERC20Votes) plus the balance checkpoints.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
        uint48 now_ = clock();
        if (from != address(0)) _balanceHistory[from].push(now_, SafeCast.toUint208(balanceOf(from)));
        if (to != address(0) && to != from) _balanceHistory[to].push(now_, SafeCast.toUint208(balanceOf(to)));
    }
}
