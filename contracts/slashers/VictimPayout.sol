// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IVictimPayout} from "../interfaces/IVictimPayout.sol";

/// @title VictimPayout
/// @notice Splits redistributed slashed tokens among named victims by amount owed; victims pull their
/// share. See IVictimPayout for the flow.
/// @dev Per token, `_reserved` is what funded payouts still hold for their victims; the balance above it
/// is unassigned. Claims only ever lower `_reserved` by what they send, so balance >= reserved holds.
contract VictimPayout is IVictimPayout, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @inheritdoc IVictimPayout
    uint256 public payoutCount;
    /// @inheritdoc IVictimPayout
    mapping(address manager => bool allowed) public isPayoutManager;

    mapping(uint256 payoutId => Payout) private _payouts;
    mapping(uint256 payoutId => mapping(address victim => uint256)) private _owed;
    mapping(uint256 payoutId => mapping(address victim => uint256)) private _claimed;
    mapping(IERC20 token => uint256) private _reserved;

    modifier onlyPayoutManager() {
        if (!isPayoutManager[msg.sender]) revert NotPayoutManager(msg.sender);
        _;
    }

    /// @param owner_ Who names payout managers (the AVS's governance); it is a manager itself.
    constructor(address owner_) Ownable(owner_) {
        isPayoutManager[owner_] = true;
        emit PayoutManagerSet(owner_, true);
    }

    /// @inheritdoc IVictimPayout
    function createPayout(
        IERC20 token,
        address[] calldata victims,
        uint256[] calldata amountsOwed,
        string calldata description
    ) external onlyPayoutManager returns (uint256 payoutId) {
        if (address(token) == address(0)) revert ZeroAddress();
        uint256 n = victims.length;
        if (n == 0) revert NoVictims();
        if (n != amountsOwed.length) revert InputArrayLengthMismatch(n, amountsOwed.length);
        payoutId = ++payoutCount;
        uint256 total;
        for (uint256 i = 0; i < n; ++i) {
            address victim = victims[i];
            uint256 amount = amountsOwed[i];
            if (victim == address(0)) revert ZeroAddress();
            if (amount == 0) revert ZeroAmountOwed(victim);
            if (_owed[payoutId][victim] != 0) revert DuplicateVictim(victim);
            _owed[payoutId][victim] = amount;
            total += amount;
            emit VictimAdded(payoutId, victim, amount);
        }
        _payouts[payoutId] = Payout({token: token, totalOwed: total, funded: 0, claimed: 0, victims: n});
        emit PayoutCreated(payoutId, token, total, n, description);
    }

    /// @inheritdoc IVictimPayout
    function fund(uint256 payoutId) external nonReentrant returns (uint256 amount) {
        Payout storage payout = _payout(payoutId);
        IERC20 token = payout.token;
        uint256 available = token.balanceOf(address(this)) - _reserved[token];
        amount = Math.min(available, payout.totalOwed - payout.funded);
        if (amount == 0) return 0;
        payout.funded += amount;
        _reserved[token] += amount;
        emit PayoutFunded(payoutId, amount, payout.funded);
    }

    /// @inheritdoc IVictimPayout
    function claim(uint256 payoutId, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        Payout storage payout = _payout(payoutId);
        amount = _claimable(payout, payoutId, msg.sender);
        if (amount == 0) revert NothingToClaim(payoutId, msg.sender);
        _claimed[payoutId][msg.sender] += amount;
        payout.claimed += amount;
        _reserved[payout.token] -= amount;
        emit Claimed(payoutId, msg.sender, to, amount);
        payout.token.safeTransfer(to, amount);
    }

    /// @inheritdoc IVictimPayout
    function setPayoutManager(address manager, bool allowed) external onlyOwner {
        if (manager == address(0)) revert ZeroAddress();
        isPayoutManager[manager] = allowed;
        emit PayoutManagerSet(manager, allowed);
    }

    /// @inheritdoc IVictimPayout
    function claimable(uint256 payoutId, address victim) external view returns (uint256) {
        return _claimable(_payout(payoutId), payoutId, victim);
    }

    /// @inheritdoc IVictimPayout
    function victimOf(uint256 payoutId, address victim) external view returns (uint256 owed, uint256 claimed) {
        _payout(payoutId);
        return (_owed[payoutId][victim], _claimed[payoutId][victim]);
    }

    /// @inheritdoc IVictimPayout
    function getPayout(uint256 payoutId) external view returns (Payout memory) {
        return _payout(payoutId);
    }

    /// @inheritdoc IVictimPayout
    function unassigned(IERC20 token) external view returns (uint256) {
        return token.balanceOf(address(this)) - _reserved[token];
    }

    function _payout(uint256 payoutId) private view returns (Payout storage payout) {
        payout = _payouts[payoutId];
        if (address(payout.token) == address(0)) revert UnknownPayout(payoutId);
    }

    /// @dev floor(funded * owed / totalOwed) - claimed: rounding down keeps the sum of shares <= funded.
    function _claimable(Payout storage payout, uint256 payoutId, address victim) private view returns (uint256) {
        uint256 owed = _owed[payoutId][victim];
        if (owed == 0) return 0;
        uint256 entitled = Math.mulDiv(payout.funded, owed, payout.totalOwed);
        return entitled - _claimed[payoutId][victim];
    }
}
