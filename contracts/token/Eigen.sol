// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {ICanonicalForkRegistry, ICanonicalForkRegistryTypes} from "../interfaces/ICanonicalForkRegistry.sol";
import {IEigen} from "../interfaces/IEigen.sol";
import {IForkChallengeManager} from "../interfaces/IForkChallengeManager.sol";

/// @title Eigen (EIGEN)
/// @notice Wraps the canonical bEIGEN 1:1. EIGEN holders never act on a fork: when governance makes a fork
/// canonical, EIGEN claims its whole bEIGEN balance at the challenge's timepoint on the fork and from then on
/// is backed by the fork token ("solid representation": one EIGEN always redeems one canonical bEIGEN).
/// For that to hold, EIGEN minted after the timepoint must not exist: opening a challenge freezes wraps until
/// resolution (queueWrap escrows instead, refundable at any time). Unwrap is always possible; unwraps after
/// the timepoint are recorded so the unwrapper can claim them on the fork.
/// @dev totalSupply() mirrors the backing bEIGEN's supply (as deployed EIGEN does); wrappedSupply() is the
/// EIGEN in circulation. Invariant: wrappedSupply() == backingHeld().
contract Eigen is ERC20, ERC20Permit, ERC20Votes, IEigen {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice The canonical fork registry EIGEN's backing follows.
    ICanonicalForkRegistry public immutable registry;
    /// @notice The challenge manager whose open challenge freezes wraps.
    IForkChallengeManager public immutable challengeManager;

    /// @inheritdoc IEigen
    IBackingEigen public backing;
    /// @notice Index of the next entry of the registry's canonical history to follow.
    uint256 public nextCanonicalIndex;

    /// @notice Tokens escrowed by queued wraps, per token.
    mapping(address token => uint256) public escrowed;
    mapping(address token => Checkpoints.Trace208) private _escrowHistory;
    /// @notice Fork tokens held for unwrappers and pre-timepoint queued wraps, per token.
    mapping(address token => uint256) public owedPayouts;

    /// @notice Number of queued wraps (the last id).
    uint256 public queuedWrapCount;
    mapping(uint256 wrapId => QueuedWrap) private _queuedWraps;

    /// @inheritdoc IEigen
    mapping(uint256 challengeId => mapping(address account => uint256)) public unwrappedDuring;
    /// @notice Sum of unwrappedDuring for a challenge.
    mapping(uint256 challengeId => uint256) public unwrappedTotal;
    /// @notice Wraps queued at or before a challenge's timepoint and refunded while it was open, per owner:
    /// their escrow was in EIGEN's balance at the timepoint, so their fork tokens are owed to the owner.
    mapping(uint256 challengeId => mapping(address account => uint256)) public refundedDuring;
    mapping(uint256 challengeId => Migration) private _migrations;
    mapping(address from => uint256 challengeId) private _migratedFrom;

    /// @param registry_ The canonical fork registry; EIGEN starts backed by its canonical token.
    /// @param challengeManager_ The challenge manager.
    constructor(
        ICanonicalForkRegistry registry_,
        IForkChallengeManager challengeManager_
    ) ERC20("Eigen", "EIGEN") ERC20Permit("Eigen") {
        registry = registry_;
        challengeManager = challengeManager_;
        backing = registry_.canonicalToken();
        nextCanonicalIndex = registry_.canonicalCount();
    }

    // --- Wrapping ------------------------------------------------------------------------------------------

    /// @inheritdoc IEigen
    function wrap(uint256 amount) external {
        _followCanonical();
        if (amount == 0) revert ZeroAmount();
        (bool open, uint256 challengeId) = challengeManager.activeChallenge();
        if (open) revert WrapsFrozen(challengeId);
        IERC20(address(backing)).safeTransferFrom(msg.sender, address(this), amount);
        _mint(msg.sender, amount);
        emit TokenWrapped(msg.sender, amount);
    }

    /// @inheritdoc IEigen
    function unwrap(uint256 amount) external {
        _followCanonical();
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount);
        (bool open, uint256 challengeId) = challengeManager.activeChallenge();
        // only orders an unwrap against a challenge timepoint; the timepoint is block.timestamp of an earlier block
        // solhint-disable-next-line not-rely-on-time
        if (open && block.timestamp > challengeManager.getChallenge(challengeId).timepoint) {
            unwrappedDuring[challengeId][msg.sender] += amount;
            unwrappedTotal[challengeId] += amount;
        }
        emit TokenUnwrapped(msg.sender, amount);
        IERC20(address(backing)).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEigen
    function queueWrap(uint256 amount) external returns (uint256 wrapId) {
        _followCanonical();
        if (amount == 0) revert ZeroAmount();
        (bool open, ) = challengeManager.activeChallenge();
        if (!open) revert WrapsNotFrozen();
        IBackingEigen token = backing;
        wrapId = ++queuedWrapCount;
        _queuedWraps[wrapId] = QueuedWrap({
            owner: msg.sender,
            token: token,
            // records when the wrap was queued; the delay it starts is days long
            // solhint-disable-next-line not-rely-on-time
            queuedAt: uint48(block.timestamp),
            amount: amount
        });
        _addEscrow(address(token), amount, true);
        emit WrapQueued(wrapId, msg.sender, address(token), amount);
        IERC20(address(token)).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IEigen
    function completeWrap(uint256 wrapId) external {
        _followCanonical();
        QueuedWrap memory q = _ownedWrap(wrapId);
        (bool open, uint256 challengeId) = challengeManager.activeChallenge();
        if (open) revert WrapsFrozen(challengeId);
        if (q.token != backing) revert WrapTokenNotBacking(wrapId, address(q.token), address(backing));
        delete _queuedWraps[wrapId];
        _addEscrow(address(q.token), q.amount, false);
        _mint(q.owner, q.amount);
        emit WrapCompleted(wrapId, q.owner, q.amount);
    }

    /// @inheritdoc IEigen
    function refundWrap(uint256 wrapId) external {
        _followCanonical();
        QueuedWrap memory q = _ownedWrap(wrapId);
        delete _queuedWraps[wrapId];
        _addEscrow(address(q.token), q.amount, false);
        // Escrow present at a migrated challenge's timepoint was part of EIGEN's balance there, so EIGEN
        // received its fork tokens: they belong to this wrap's owner.
        uint256 cid = _migratedFrom[address(q.token)];
        Migration memory m = _migrations[cid];
        uint256 forkPayout = (cid != 0 && q.queuedAt <= m.timepoint) ? q.amount : 0;
        if (forkPayout > 0) owedPayouts[address(m.to)] -= forkPayout;
        else _recordRefundDuringChallenge(q);
        emit WrapRefunded(wrapId, q.owner, address(q.token), q.amount, forkPayout);
        IERC20(address(q.token)).safeTransfer(q.owner, q.amount);
        if (forkPayout > 0) IERC20(address(m.to)).safeTransfer(q.owner, forkPayout);
    }

    /// @dev A wrap that was escrowed at the open challenge's timepoint and is refunded before resolution is
    /// recorded, so that its owner can still claim its fork tokens if the fork becomes canonical.
    function _recordRefundDuringChallenge(QueuedWrap memory q) internal {
        (bool open, uint256 challengeId) = challengeManager.activeChallenge();
        if (!open) return;
        IForkChallengeManager.Challenge memory c = challengeManager.getChallenge(challengeId);
        if (q.token == c.token && q.queuedAt <= c.timepoint) refundedDuring[challengeId][q.owner] += q.amount;
    }

    /// @inheritdoc IEigen
    function burn(uint256 amount) external {
        _burnWithBacking(msg.sender, amount);
    }

    /// @inheritdoc IEigen
    function burnFrom(address account, uint256 amount) external {
        _spendAllowance(account, msg.sender, amount);
        _burnWithBacking(account, amount);
    }

    // --- Following the canonical fork ----------------------------------------------------------------------

    /// @inheritdoc IEigen
    function followCanonicalFork() external {
        _followCanonical();
    }

    /// @inheritdoc IEigen
    function claimUnwrappedOnFork(uint256 challengeId) external returns (uint256 amount) {
        _followCanonical();
        Migration memory m = _migrations[challengeId];
        amount = unwrappedDuring[challengeId][msg.sender] + refundedDuring[challengeId][msg.sender];
        if (address(m.to) == address(0) || amount == 0) revert NothingToClaim(msg.sender, challengeId);
        unwrappedDuring[challengeId][msg.sender] = 0;
        refundedDuring[challengeId][msg.sender] = 0;
        owedPayouts[address(m.to)] -= amount;
        emit ForkPayoutClaimed(challengeId, msg.sender, amount);
        IERC20(address(m.to)).safeTransfer(msg.sender, amount);
    }

    /// @dev Walks the registry's canonical history from where EIGEN last stood, one fork at a time.
    function _followCanonical() internal {
        uint256 count = registry.canonicalCount();
        while (nextCanonicalIndex < count) {
            _migrate(registry.getFork(registry.canonicalForkAt(nextCanonicalIndex++)));
        }
    }

    /// @dev Claims EIGEN's balance at the challenge's timepoint on the fork and makes the fork the backing.
    /// That balance = EIGEN in circulation then (= now + unwrapped since, as wraps were frozen) + escrow then
    /// (+ anything burned since or owed from an older fork, which is burned on the fork as nobody holds it).
    function _migrate(ICanonicalForkRegistryTypes.Fork memory fork) internal {
        IBackingEigen from = backing;
        uint256 challengeId = fork.challengeId;
        uint48 timepoint = challengeManager.getChallenge(challengeId).timepoint;
        uint256 owed = unwrappedTotal[challengeId] + _escrowHistory[address(from)].upperLookupRecent(timepoint);
        uint256 expected = super.totalSupply() + owed;

        backing = fork.token;
        owedPayouts[address(fork.token)] += owed;
        _migratedFrom[address(from)] = challengeId;
        uint256 received = fork.distributor.claimWrapperBacking();
        if (received < expected) revert BackingMismatch(received, expected);
        _migrations[challengeId] = Migration({from: from, to: fork.token, timepoint: timepoint, received: received});
        emit BackingMigrated(challengeId, address(from), address(fork.token), received, owed);
        if (received > expected) fork.token.burn(received - expected);
    }

    // --- Views ---------------------------------------------------------------------------------------------

    /// @notice Mirrors the backing bEIGEN's total supply, as deployed EIGEN does; see wrappedSupply().
    function totalSupply() public view override(ERC20, IERC20) returns (uint256) {
        return backing.totalSupply();
    }

    /// @inheritdoc IEigen
    function wrappedSupply() external view returns (uint256) {
        return super.totalSupply();
    }

    /// @inheritdoc IEigen
    function backingHeld() external view returns (uint256) {
        address token = address(backing);
        return backing.balanceOf(address(this)) - escrowed[token] - owedPayouts[token];
    }

    /// @inheritdoc IEigen
    function getQueuedWrap(uint256 wrapId) external view returns (QueuedWrap memory) {
        return _queuedWraps[wrapId];
    }

    /// @inheritdoc IEigen
    function migrationOf(uint256 challengeId) external view returns (Migration memory) {
        return _migrations[challengeId];
    }

    /// @notice The clock is block.timestamp (ERC-6372), like bEIGEN.
    function clock() public view override returns (uint48) {
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

    // --- Internals -----------------------------------------------------------------------------------------

    function _ownedWrap(uint256 wrapId) internal view returns (QueuedWrap memory q) {
        q = _queuedWraps[wrapId];
        if (q.owner != msg.sender || q.amount == 0) revert NotWrapOwner(wrapId, msg.sender);
    }

    function _addEscrow(address token, uint256 amount, bool add) internal {
        uint256 total = add ? escrowed[token] + amount : escrowed[token] - amount;
        escrowed[token] = total;
        _escrowHistory[token].push(clock(), SafeCast.toUint208(total));
    }

    function _burnWithBacking(address account, uint256 amount) internal {
        _followCanonical();
        if (amount == 0) revert ZeroAmount();
        _burn(account, amount);
        backing.burn(amount);
    }

    /// @dev ERC20Votes caps the supply it checkpoints; EIGEN's own circulation is what it tracks.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @dev The cap ERC20Votes applies to minting compares totalSupply(), which mirrors bEIGEN here.
    function _maxSupply() internal pure override returns (uint256) {
        return type(uint208).max;
    }
}
