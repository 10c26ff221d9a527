// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {EnumerableMap} from "@openzeppelin/contracts/utils/structs/EnumerableMap.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {IShareManager} from "../interfaces/IShareManager.sol";
import {ISignatureUtilsMixin} from "../interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {OperatorSet, OperatorSetLib} from "../libraries/OperatorSetLib.sol";
import {Pausable} from "../permissions/Pausable.sol";

/// @title StrategyManager
/// @notice Takes stakers' deposits into whitelisted strategies, keeps their deposit shares, and reports every
/// change to the DelegationManager. Slashed shares are recorded per (operator set, slash id, strategy) and
/// cleared permissionlessly after the slash resolution delay: the strategy pays the underlying tokens to the
/// set's redistribution recipient or to the burn address. Slashing never moves tokens itself, so it cannot
/// fail on a token transfer.
contract StrategyManager is IStrategyManager, Pausable, Ownable2Step, EIP712, Nonces, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using EnumerableMap for EnumerableMap.AddressToUintMap;
    using EnumerableSet for EnumerableSet.Bytes32Set;
    using EnumerableSet for EnumerableSet.UintSet;

    /// @notice Pause flag index for deposits.
    uint8 public constant PAUSED_DEPOSITS = 0;
    /// @notice Pause flag index for clearing slashed shares (burning and redistribution, ELIP-016).
    uint8 public constant PAUSED_BURNING_AND_REDISTRIBUTION = 1;

    /// @inheritdoc IStrategyManager
    uint8 public constant MAX_STAKER_STRATEGY_LIST_LENGTH = 32;

    /// @notice EIP-712 typehash of a deposit signed by the staker.
    bytes32 public constant DEPOSIT_TYPEHASH = keccak256(
        "Deposit(address staker,address strategy,address token,uint256 amount,uint256 nonce,uint256 expiry)"
    );

    /// @inheritdoc IStrategyManager
    IDelegationManager public immutable delegation;

    /// @inheritdoc IStrategyManager
    uint32 public immutable SLASH_RESOLUTION_DELAY_BLOCKS;

    /// @inheritdoc IStrategyManager
    address public strategyWhitelister;

    /// @inheritdoc IStrategyManager
    mapping(IStrategy strategy => bool whitelisted) public strategyIsWhitelistedForDeposit;

    /// @inheritdoc IShareManager
    mapping(address staker => mapping(IStrategy strategy => uint256 shares)) public stakerDepositShares;

    mapping(address staker => IStrategy[] strategies) internal _stakerStrategyList;
    mapping(bytes32 setKey => mapping(uint256 slashId => EnumerableMap.AddressToUintMap))
        internal _burnOrRedistributableShares;
    mapping(bytes32 setKey => mapping(uint256 slashId => uint32 resolutionBlock)) internal _slashResolutionBlock;
    EnumerableSet.Bytes32Set internal _pendingOperatorSets;
    mapping(bytes32 setKey => EnumerableSet.UintSet) internal _pendingSlashIds;

    modifier onlyDelegationManager() {
        if (msg.sender != address(delegation)) revert OnlyDelegationManager(msg.sender);
        _;
    }

    modifier onlyStrategyWhitelister() {
        if (msg.sender != strategyWhitelister) revert OnlyStrategyWhitelister(msg.sender);
        _;
    }

    /// @param delegation_ The DelegationManager.
    /// @param pauserRegistry_ The shared pauser registry.
    /// @param initialOwner Governance: may change the strategy whitelister.
    /// @param slashResolutionDelayBlocks Blocks a slash waits before it can be cleared (ELIP-016).
    constructor(
        IDelegationManager delegation_,
        IPauserRegistry pauserRegistry_,
        address initialOwner,
        uint32 slashResolutionDelayBlocks
    ) Pausable(pauserRegistry_) Ownable(initialOwner) EIP712("StrategyManager", "1") {
        if (address(delegation_) == address(0)) revert InputAddressZero();
        delegation = delegation_;
        SLASH_RESOLUTION_DELAY_BLOCKS = slashResolutionDelayBlocks;
    }

    // ---------------------------------------------------------------- deposits

    /// @inheritdoc IStrategyManager
    function depositIntoStrategy(
        IStrategy strategy,
        IERC20 token,
        uint256 amount
    ) external onlyWhenNotPaused(PAUSED_DEPOSITS) nonReentrant returns (uint256 depositShares) {
        return _depositIntoStrategy(msg.sender, strategy, token, amount);
    }

    /// @inheritdoc IStrategyManager
    function depositIntoStrategyWithSignature(
        IStrategy strategy,
        IERC20 token,
        uint256 amount,
        address staker,
        uint256 expiry,
        bytes memory signature
    ) external onlyWhenNotPaused(PAUSED_DEPOSITS) nonReentrant returns (uint256 depositShares) {
        // EIP-712 signature expiry chosen by the signer; seconds of leeway are accepted by design
        // solhint-disable-next-line not-rely-on-time
        if (expiry < block.timestamp) revert SignatureExpired(expiry, block.timestamp);
        bytes32 digest = calculateStrategyDepositDigestHash(staker, strategy, token, amount, _useNonce(staker), expiry);
        if (!SignatureChecker.isValidSignatureNow(staker, digest, signature)) revert InvalidSignature(staker);
        return _depositIntoStrategy(staker, strategy, token, amount);
    }

    // ---------------------------------------------------------------- share manager (DelegationManager only)

    /// @inheritdoc IShareManager
    function removeDepositShares(
        address staker,
        IStrategy strategy,
        uint256 depositSharesToRemove
    ) external onlyDelegationManager returns (uint256 depositSharesLeft) {
        if (depositSharesToRemove == 0) revert SharesAmountZero();
        strategy.beforeRemoveShares(staker, depositSharesToRemove);
        uint256 current = stakerDepositShares[staker][strategy];
        if (depositSharesToRemove > current) revert SharesAmountTooHigh(depositSharesToRemove, current);
        depositSharesLeft = current - depositSharesToRemove;
        stakerDepositShares[staker][strategy] = depositSharesLeft;
        if (depositSharesLeft == 0) _removeStrategyFromStakerList(staker, strategy);
        emit DepositSharesRemoved(staker, strategy, depositSharesToRemove);
    }

    /// @inheritdoc IShareManager
    function addShares(
        address staker,
        IStrategy strategy,
        uint256 shares
    ) external onlyDelegationManager returns (uint256, uint256) {
        return _addShares(staker, strategy, shares);
    }

    /// @inheritdoc IShareManager
    function withdrawSharesAsTokens(
        address staker,
        IStrategy strategy,
        IERC20 token,
        uint256 shares
    ) external onlyDelegationManager {
        strategy.withdraw(staker, token, shares);
    }

    /// @inheritdoc IShareManager
    function increaseBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint256 addedSharesToBurn
    ) external onlyDelegationManager {
        if (addedSharesToBurn == 0) return;
        bytes32 setKey = OperatorSetLib.key(operatorSet);
        if (!_burnOrRedistributableShares[setKey][slashId].set(address(strategy), addedSharesToBurn)) {
            revert StrategyAlreadyInSlash(operatorSet.avs, operatorSet.id, slashId, strategy);
        }
        _pendingOperatorSets.add(setKey);
        _pendingSlashIds[setKey].add(slashId);
        if (_slashResolutionBlock[setKey][slashId] == 0) {
            uint32 resolutionBlock = uint32(block.number) + SLASH_RESOLUTION_DELAY_BLOCKS;
            _slashResolutionBlock[setKey][slashId] = resolutionBlock;
            emit SlashResolutionBlockSet(operatorSet, slashId, resolutionBlock);
        }
        emit BurnOrRedistributableSharesIncreased(operatorSet, slashId, strategy, addedSharesToBurn);
    }

    // ---------------------------------------------------------------- burn or redistribute

    /// @inheritdoc IStrategyManager
    function clearBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external onlyWhenNotPaused(PAUSED_BURNING_AND_REDISTRIBUTION) nonReentrant returns (uint256[] memory amounts) {
        bytes32 setKey = OperatorSetLib.key(operatorSet);
        _checkSlashResolved(setKey, slashId);
        EnumerableMap.AddressToUintMap storage map = _burnOrRedistributableShares[setKey][slashId];
        uint256 length = map.length();
        amounts = new uint256[](length);
        // Walk backwards so removing the current entry does not shift the ones still to visit.
        for (uint256 i = length; i > 0; --i) {
            (address strategy, uint256 shares) = map.at(i - 1);
            amounts[i - 1] = _clear(operatorSet, setKey, slashId, IStrategy(strategy), shares);
        }
    }

    /// @inheritdoc IStrategyManager
    function clearBurnOrRedistributableSharesByStrategy(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy
    ) external onlyWhenNotPaused(PAUSED_BURNING_AND_REDISTRIBUTION) nonReentrant returns (uint256 amount) {
        bytes32 setKey = OperatorSetLib.key(operatorSet);
        _checkSlashResolved(setKey, slashId);
        (bool exists, uint256 shares) = _burnOrRedistributableShares[setKey][slashId].tryGet(address(strategy));
        if (!exists) return 0;
        return _clear(operatorSet, setKey, slashId, strategy, shares);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IStrategyManager
    function setStrategyWhitelister(address newStrategyWhitelister) external onlyOwner {
        emit StrategyWhitelisterChanged(strategyWhitelister, newStrategyWhitelister);
        strategyWhitelister = newStrategyWhitelister;
    }

    /// @inheritdoc IStrategyManager
    function addStrategiesToDepositWhitelist(
        IStrategy[] calldata strategiesToWhitelist
    ) external onlyStrategyWhitelister {
        for (uint256 i = 0; i < strategiesToWhitelist.length; ++i) {
            IStrategy strategy = strategiesToWhitelist[i];
            if (!strategyIsWhitelistedForDeposit[strategy]) {
                strategyIsWhitelistedForDeposit[strategy] = true;
                emit StrategyAddedToDepositWhitelist(strategy);
            }
        }
    }

    /// @inheritdoc IStrategyManager
    function removeStrategiesFromDepositWhitelist(
        IStrategy[] calldata strategiesToRemoveFromWhitelist
    ) external onlyStrategyWhitelister {
        for (uint256 i = 0; i < strategiesToRemoveFromWhitelist.length; ++i) {
            IStrategy strategy = strategiesToRemoveFromWhitelist[i];
            if (strategyIsWhitelistedForDeposit[strategy]) {
                strategyIsWhitelistedForDeposit[strategy] = false;
                emit StrategyRemovedFromDepositWhitelist(strategy);
            }
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IStrategyManager
    function getDeposits(address staker) external view returns (IStrategy[] memory, uint256[] memory) {
        IStrategy[] memory strategies = _stakerStrategyList[staker];
        uint256[] memory shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            shares[i] = stakerDepositShares[staker][strategies[i]];
        }
        return (strategies, shares);
    }

    /// @inheritdoc IStrategyManager
    function getStakerStrategyList(address staker) external view returns (IStrategy[] memory) {
        return _stakerStrategyList[staker];
    }

    /// @inheritdoc IStrategyManager
    function stakerStrategyListLength(address staker) external view returns (uint256) {
        return _stakerStrategyList[staker].length;
    }

    /// @inheritdoc IStrategyManager
    function getBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external view returns (IStrategy[] memory strategies, uint256[] memory shares) {
        EnumerableMap.AddressToUintMap storage map = _burnOrRedistributableShares[OperatorSetLib.key(operatorSet)][
            slashId
        ];
        uint256 length = map.length();
        strategies = new IStrategy[](length);
        shares = new uint256[](length);
        for (uint256 i = 0; i < length; ++i) {
            (address strategy, uint256 amount) = map.at(i);
            strategies[i] = IStrategy(strategy);
            shares[i] = amount;
        }
    }

    /// @inheritdoc IStrategyManager
    function getBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy
    ) external view returns (uint256) {
        (, uint256 shares) = _burnOrRedistributableShares[OperatorSetLib.key(operatorSet)][slashId].tryGet(
            address(strategy)
        );
        return shares;
    }

    /// @inheritdoc IStrategyManager
    function getBurnOrRedistributableCount(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external view returns (uint256) {
        return _burnOrRedistributableShares[OperatorSetLib.key(operatorSet)][slashId].length();
    }

    /// @inheritdoc IStrategyManager
    function getPendingOperatorSets() external view returns (OperatorSet[] memory sets) {
        uint256 length = _pendingOperatorSets.length();
        sets = new OperatorSet[](length);
        for (uint256 i = 0; i < length; ++i) {
            sets[i] = OperatorSetLib.decode(_pendingOperatorSets.at(i));
        }
    }

    /// @inheritdoc IStrategyManager
    function getPendingSlashIds(OperatorSet calldata operatorSet) external view returns (uint256[] memory) {
        return _pendingSlashIds[OperatorSetLib.key(operatorSet)].values();
    }

    /// @inheritdoc IStrategyManager
    function getSlashResolutionBlock(OperatorSet calldata operatorSet, uint256 slashId) external view returns (uint32) {
        return _slashResolutionBlock[OperatorSetLib.key(operatorSet)][slashId];
    }

    /// @inheritdoc IStrategyManager
    function nonces(address staker) public view override(IStrategyManager, Nonces) returns (uint256) {
        return super.nonces(staker);
    }

    /// @inheritdoc ISignatureUtilsMixin
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IStrategyManager
    function calculateStrategyDepositDigestHash(
        address staker,
        IStrategy strategy,
        IERC20 token,
        uint256 amount,
        uint256 nonce,
        uint256 expiry
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(keccak256(abi.encode(DEPOSIT_TYPEHASH, staker, strategy, token, amount, nonce, expiry)));
    }

    // ---------------------------------------------------------------- internals

    function _depositIntoStrategy(
        address staker,
        IStrategy strategy,
        IERC20 token,
        uint256 amount
    ) internal returns (uint256 shares) {
        if (!strategyIsWhitelistedForDeposit[strategy]) revert StrategyNotWhitelisted(strategy);
        token.safeTransferFrom(msg.sender, address(strategy), amount);
        shares = strategy.deposit(token, amount);
        (uint256 prevDepositShares, uint256 addedShares) = _addShares(staker, strategy, shares);
        delegation.increaseDelegatedShares(staker, strategy, prevDepositShares, addedShares);
    }

    function _addShares(
        address staker,
        IStrategy strategy,
        uint256 shares
    ) internal returns (uint256 prevDepositShares, uint256 addedShares) {
        if (staker == address(0)) revert StakerAddressZero();
        if (shares == 0) revert SharesAmountZero();
        strategy.beforeAddShares(staker, shares);
        prevDepositShares = stakerDepositShares[staker][strategy];
        if (prevDepositShares == 0) {
            if (_stakerStrategyList[staker].length >= MAX_STAKER_STRATEGY_LIST_LENGTH) {
                revert MaxStrategiesExceeded(staker, MAX_STAKER_STRATEGY_LIST_LENGTH);
            }
            _stakerStrategyList[staker].push(strategy);
        }
        stakerDepositShares[staker][strategy] = prevDepositShares + shares;
        emit Deposit(staker, strategy, shares);
        return (prevDepositShares, shares);
    }

    function _removeStrategyFromStakerList(address staker, IStrategy strategy) internal {
        IStrategy[] storage list = _stakerStrategyList[staker];
        uint256 length = list.length;
        for (uint256 i = 0; i < length; ++i) {
            if (list[i] == strategy) {
                list[i] = list[length - 1];
                list.pop();
                return;
            }
        }
    }

    function _checkSlashResolved(bytes32 setKey, uint256 slashId) internal view {
        uint32 resolutionBlock = _slashResolutionBlock[setKey][slashId];
        if (block.number <= resolutionBlock) {
            revert SlashResolutionDelayNotElapsed(slashId, resolutionBlock, block.number);
        }
    }

    /// @dev Effects first (forget the record), then the strategy pays the recipient.
    function _clear(
        OperatorSet calldata operatorSet,
        bytes32 setKey,
        uint256 slashId,
        IStrategy strategy,
        uint256 shares
    ) internal returns (uint256 amount) {
        EnumerableMap.AddressToUintMap storage map = _burnOrRedistributableShares[setKey][slashId];
        map.remove(address(strategy));
        if (map.length() == 0) {
            _pendingSlashIds[setKey].remove(slashId);
            if (_pendingSlashIds[setKey].length() == 0) _pendingOperatorSets.remove(setKey);
        }
        emit BurnOrRedistributableSharesDecreased(operatorSet, slashId, strategy, shares);
        address recipient = delegation.allocationManager().getRedistributionRecipient(operatorSet);
        amount = strategy.withdraw(recipient, strategy.underlyingToken(), shares);
        emit BurnOrRedistributableTokensSent(operatorSet, slashId, strategy, recipient, amount);
    }
}
