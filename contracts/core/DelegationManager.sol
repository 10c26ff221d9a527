// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {ISignatureUtilsMixin} from "../interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {SlashingLib, WAD} from "../libraries/SlashingLib.sol";
import {Pausable} from "../permissions/Pausable.sol";

/// @title DelegationManager
/// @notice Operators, delegation and withdrawals. A staker's withdrawable shares in a strategy are
/// `depositShares * depositScalingFactor * maxMagnitude(operator)`; slashing an operator lowers its max
/// magnitude, so every delegated staker loses the same fraction without any per-staker write. Queued
/// withdrawals leave the operator's shares at once but stay slashable for `minWithdrawalDelayBlocks`:
/// completion pays `scaledShares * maxMagnitude` read at the end of the delay, and the slash hook also
/// takes the queued shares from the burn/redistribution side.
/// @dev Wiring: deploy this first, then the AllocationManager and StrategyManager (which take this address
/// in their constructors), then call `setCoreContracts` once.
contract DelegationManager is IDelegationManager, Pausable, Ownable2Step, EIP712, ReentrancyGuard {
    using SlashingLib for uint256;
    using SafeCast for uint256;
    using Checkpoints for Checkpoints.Trace224;
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @notice Pause flag index for new delegations and operator registration.
    uint8 public constant PAUSED_NEW_DELEGATION = 0;
    /// @notice Pause flag index for queueing withdrawals and undelegating.
    uint8 public constant PAUSED_ENTER_WITHDRAWAL_QUEUE = 1;
    /// @notice Pause flag index for completing withdrawals.
    uint8 public constant PAUSED_EXIT_WITHDRAWAL_QUEUE = 2;

    /// @inheritdoc IDelegationManager
    bytes32 public constant DELEGATION_APPROVAL_TYPEHASH = keccak256(
        "DelegationApproval(address delegationApprover,address staker,address operator,bytes32 salt,uint256 expiry)"
    );

    /// @inheritdoc IDelegationManager
    uint32 public immutable minWithdrawalDelayBlocks;

    /// @inheritdoc IDelegationManager
    IStrategyManager public strategyManager;
    /// @inheritdoc IDelegationManager
    IAllocationManager public allocationManager;

    /// @inheritdoc IDelegationManager
    mapping(address operator => mapping(IStrategy strategy => uint256 shares)) public operatorShares;
    /// @inheritdoc IDelegationManager
    mapping(address staker => address operator) public delegatedTo;
    /// @inheritdoc IDelegationManager
    mapping(address operator => address approver) public delegationApprover;
    /// @inheritdoc IDelegationManager
    mapping(address approver => mapping(bytes32 salt => bool spent)) public delegationApproverSaltIsSpent;
    /// @inheritdoc IDelegationManager
    mapping(address staker => uint256 count) public cumulativeWithdrawalsQueued;

    mapping(address staker => mapping(IStrategy strategy => uint256 factor)) internal _depositScalingFactor;
    mapping(bytes32 root => Withdrawal withdrawal) internal _queuedWithdrawals;
    mapping(address staker => EnumerableSet.Bytes32Set roots) internal _stakerQueuedWithdrawalRoots;
    /// @dev Per (operator, strategy): cumulative scaled shares ever queued, by block. The difference between
    /// now and `minWithdrawalDelayBlocks + 1` blocks ago is what is still slashable in the queue.
    mapping(address operator => mapping(IStrategy strategy => Checkpoints.Trace224))
        internal _cumulativeScaledSharesHistory;

    modifier onlyStrategyManager() {
        if (msg.sender != address(strategyManager) || msg.sender == address(0)) revert OnlyStrategyManager(msg.sender);
        _;
    }

    modifier onlyAllocationManager() {
        if (msg.sender != address(allocationManager) || msg.sender == address(0)) {
            revert OnlyAllocationManager(msg.sender);
        }
        _;
    }

    modifier coreContractsSet() {
        if (address(allocationManager) == address(0)) revert CoreContractsNotSet();
        _;
    }

    /// @param pauserRegistry_ The shared pauser registry.
    /// @param initialOwner Governance: wires the core contracts once.
    /// @param minWithdrawalDelayBlocks_ Blocks a queued withdrawal stays slashable before it can complete.
    constructor(
        IPauserRegistry pauserRegistry_,
        address initialOwner,
        uint32 minWithdrawalDelayBlocks_
    ) Pausable(pauserRegistry_) Ownable(initialOwner) EIP712("DelegationManager", "1") {
        minWithdrawalDelayBlocks = minWithdrawalDelayBlocks_;
    }

    /// @inheritdoc IDelegationManager
    function setCoreContracts(
        IStrategyManager strategyManager_,
        IAllocationManager allocationManager_
    ) external onlyOwner {
        if (address(allocationManager) != address(0)) revert CoreContractsAlreadySet();
        if (address(strategyManager_) == address(0) || address(allocationManager_) == address(0)) {
            revert InputAddressZero();
        }
        strategyManager = strategyManager_;
        allocationManager = allocationManager_;
        emit CoreContractsSet(strategyManager_, allocationManager_);
    }

    // ---------------------------------------------------------------- operators

    /// @inheritdoc IDelegationManager
    function registerAsOperator(
        address initDelegationApprover,
        uint32 allocationDelay,
        string calldata metadataURI
    ) external coreContractsSet nonReentrant {
        if (isDelegated(msg.sender)) revert ActivelyDelegated(msg.sender, delegatedTo[msg.sender]);
        allocationManager.setAllocationDelay(msg.sender, allocationDelay);
        delegationApprover[msg.sender] = initDelegationApprover;
        emit DelegationApproverUpdated(msg.sender, initDelegationApprover);
        _delegate(msg.sender, msg.sender);
        emit OperatorRegistered(msg.sender, initDelegationApprover);
        emit OperatorMetadataURIUpdated(msg.sender, metadataURI);
    }

    /// @inheritdoc IDelegationManager
    function modifyOperatorDetails(address operator, address newDelegationApprover) external {
        _checkOperatorCaller(operator);
        delegationApprover[operator] = newDelegationApprover;
        emit DelegationApproverUpdated(operator, newDelegationApprover);
    }

    /// @inheritdoc IDelegationManager
    function updateOperatorMetadataURI(address operator, string calldata metadataURI) external {
        _checkOperatorCaller(operator);
        emit OperatorMetadataURIUpdated(operator, metadataURI);
    }

    // ---------------------------------------------------------------- delegation

    /// @inheritdoc IDelegationManager
    function delegateTo(
        address operator,
        SignatureWithExpiry memory approverSignatureAndExpiry,
        bytes32 approverSalt
    ) external coreContractsSet nonReentrant {
        if (isDelegated(msg.sender)) revert ActivelyDelegated(msg.sender, delegatedTo[msg.sender]);
        if (!isOperator(operator)) revert OperatorNotRegistered(operator);
        _checkApproverSignature(msg.sender, operator, approverSignatureAndExpiry, approverSalt);
        _delegate(msg.sender, operator);
    }

    /// @inheritdoc IDelegationManager
    function undelegate(address staker) external coreContractsSet nonReentrant returns (bytes32[] memory) {
        if (!isDelegated(staker)) revert NotActivelyDelegated(staker);
        if (isOperator(staker)) revert OperatorsCannotUndelegate(staker);
        address operator = delegatedTo[staker];
        if (msg.sender != staker && msg.sender != operator && msg.sender != delegationApprover[operator]) {
            revert CallerCannotUndelegate(msg.sender, staker);
        }
        if (msg.sender != staker) emit StakerForceUndelegated(staker, operator);
        return _undelegate(staker);
    }

    /// @inheritdoc IDelegationManager
    function redelegate(
        address newOperator,
        SignatureWithExpiry memory newOperatorApproverSig,
        bytes32 approverSalt
    ) external coreContractsSet nonReentrant returns (bytes32[] memory withdrawalRoots) {
        if (!isDelegated(msg.sender)) revert NotActivelyDelegated(msg.sender);
        if (isOperator(msg.sender)) revert OperatorsCannotUndelegate(msg.sender);
        if (!isOperator(newOperator)) revert OperatorNotRegistered(newOperator);
        withdrawalRoots = _undelegate(msg.sender);
        _checkApproverSignature(msg.sender, newOperator, newOperatorApproverSig, approverSalt);
        _delegate(msg.sender, newOperator);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @inheritdoc IDelegationManager
    function queueWithdrawals(
        QueuedWithdrawalParams[] calldata params
    )
        external
        coreContractsSet
        onlyWhenNotPaused(PAUSED_ENTER_WITHDRAWAL_QUEUE)
        nonReentrant
        returns (bytes32[] memory withdrawalRoots)
    {
        withdrawalRoots = new bytes32[](params.length);
        address operator = delegatedTo[msg.sender];
        for (uint256 i = 0; i < params.length; ++i) {
            if (params[i].strategies.length != params[i].depositShares.length) {
                revert InputArrayLengthMismatch(params[i].strategies.length, params[i].depositShares.length);
            }
            withdrawalRoots[i] = _removeSharesAndQueueWithdrawal(
                msg.sender,
                operator,
                params[i].strategies,
                params[i].depositShares
            );
        }
    }

    /// @inheritdoc IDelegationManager
    function completeQueuedWithdrawal(
        Withdrawal calldata withdrawal,
        IERC20[] calldata tokens,
        bool receiveAsTokens
    ) external onlyWhenNotPaused(PAUSED_EXIT_WITHDRAWAL_QUEUE) nonReentrant {
        _completeQueuedWithdrawal(withdrawal, tokens, receiveAsTokens);
    }

    /// @inheritdoc IDelegationManager
    function completeQueuedWithdrawals(
        Withdrawal[] calldata withdrawals,
        IERC20[][] calldata tokens,
        bool[] calldata receiveAsTokens
    ) external onlyWhenNotPaused(PAUSED_EXIT_WITHDRAWAL_QUEUE) nonReentrant {
        if (withdrawals.length != tokens.length) revert InputArrayLengthMismatch(withdrawals.length, tokens.length);
        if (withdrawals.length != receiveAsTokens.length) {
            revert InputArrayLengthMismatch(withdrawals.length, receiveAsTokens.length);
        }
        for (uint256 i = 0; i < withdrawals.length; ++i) {
            _completeQueuedWithdrawal(withdrawals[i], tokens[i], receiveAsTokens[i]);
        }
    }

    // ---------------------------------------------------------------- hooks

    /// @inheritdoc IDelegationManager
    function increaseDelegatedShares(
        address staker,
        IStrategy strategy,
        uint256 prevDepositShares,
        uint256 addedShares
    ) external onlyStrategyManager {
        address operator = delegatedTo[staker];
        _increaseDelegation(
            operator,
            staker,
            strategy,
            prevDepositShares,
            addedShares,
            _slashingFactor(operator, strategy)
        );
    }

    /// @inheritdoc IDelegationManager
    function slashOperatorShares(
        address operator,
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external onlyAllocationManager returns (uint256 totalDepositSharesToSlash) {
        uint256 operatorSharesSlashed = operatorShares[operator][strategy].calcSlashedAmountRoundDown(
            prevMaxMagnitude,
            newMaxMagnitude
        );
        uint256 queueSharesSlashed = _slashableSharesInQueue(operator, strategy, prevMaxMagnitude, newMaxMagnitude);
        totalDepositSharesToSlash = operatorSharesSlashed + queueSharesSlashed;
        operatorShares[operator][strategy] -= operatorSharesSlashed;
        emit OperatorSharesSlashed(operator, strategy, totalDepositSharesToSlash);
        strategyManager.increaseBurnOrRedistributableShares(operatorSet, slashId, strategy, totalDepositSharesToSlash);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDelegationManager
    function isDelegated(address staker) public view returns (bool) {
        return delegatedTo[staker] != address(0);
    }

    /// @inheritdoc IDelegationManager
    function isOperator(address operator) public view returns (bool) {
        return operator != address(0) && delegatedTo[operator] == operator;
    }

    /// @inheritdoc IDelegationManager
    function depositScalingFactor(address staker, IStrategy strategy) external view returns (uint256) {
        return SlashingLib.scalingFactor(_depositScalingFactor[staker][strategy]);
    }

    /// @inheritdoc IDelegationManager
    function getOperatorShares(
        address operator,
        IStrategy[] memory strategies
    ) public view returns (uint256[] memory shares) {
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            shares[i] = operatorShares[operator][strategies[i]];
        }
    }

    /// @inheritdoc IDelegationManager
    function getOperatorsShares(
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory shares) {
        shares = new uint256[][](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            shares[i] = getOperatorShares(operators[i], strategies);
        }
    }

    /// @inheritdoc IDelegationManager
    function getSlashableSharesInQueue(address operator, IStrategy strategy) external view returns (uint256) {
        uint64 maxMagnitude = _slashingFactor(operator, strategy).toUint64();
        return _slashableSharesInQueue(operator, strategy, maxMagnitude, 0);
    }

    /// @inheritdoc IDelegationManager
    function getWithdrawableShares(
        address staker,
        IStrategy[] memory strategies
    ) public view returns (uint256[] memory withdrawableShares, uint256[] memory depositShares) {
        address operator = delegatedTo[staker];
        withdrawableShares = new uint256[](strategies.length);
        depositShares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            depositShares[i] = strategyManager.stakerDepositShares(staker, strategies[i]);
            withdrawableShares[i] = depositShares[i].calcWithdrawableRoundDown(
                _depositScalingFactor[staker][strategies[i]],
                _slashingFactor(operator, strategies[i])
            );
        }
    }

    /// @inheritdoc IDelegationManager
    function getDepositedShares(address staker) public view returns (IStrategy[] memory, uint256[] memory) {
        return strategyManager.getDeposits(staker);
    }

    /// @inheritdoc IDelegationManager
    function queuedWithdrawals(bytes32 withdrawalRoot) external view returns (Withdrawal memory) {
        return _queuedWithdrawals[withdrawalRoot];
    }

    /// @inheritdoc IDelegationManager
    function getQueuedWithdrawal(
        bytes32 withdrawalRoot
    ) public view returns (Withdrawal memory withdrawal, uint256[] memory shares) {
        withdrawal = _queuedWithdrawals[withdrawalRoot];
        shares = _withdrawalSharesNow(withdrawal);
    }

    /// @inheritdoc IDelegationManager
    function getQueuedWithdrawals(
        address staker
    ) external view returns (Withdrawal[] memory withdrawals, uint256[][] memory shares) {
        bytes32[] memory roots = _stakerQueuedWithdrawalRoots[staker].values();
        withdrawals = new Withdrawal[](roots.length);
        shares = new uint256[][](roots.length);
        for (uint256 i = 0; i < roots.length; ++i) {
            (withdrawals[i], shares[i]) = getQueuedWithdrawal(roots[i]);
        }
    }

    /// @inheritdoc IDelegationManager
    function getQueuedWithdrawalRoots(address staker) external view returns (bytes32[] memory) {
        return _stakerQueuedWithdrawalRoots[staker].values();
    }

    /// @inheritdoc IDelegationManager
    function convertToDepositShares(
        address staker,
        IStrategy[] memory strategies,
        uint256[] memory withdrawableShares
    ) external view returns (uint256[] memory depositShares) {
        if (strategies.length != withdrawableShares.length) {
            revert InputArrayLengthMismatch(strategies.length, withdrawableShares.length);
        }
        address operator = delegatedTo[staker];
        depositShares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            uint256 factor = _slashingFactor(operator, strategies[i]);
            if (factor == 0) revert FullySlashed(operator, strategies[i]);
            depositShares[i] = withdrawableShares[i].calcDepositSharesRoundDown(
                _depositScalingFactor[staker][strategies[i]],
                factor
            );
        }
    }

    /// @inheritdoc IDelegationManager
    function calculateWithdrawalRoot(Withdrawal memory withdrawal) public pure returns (bytes32) {
        return keccak256(abi.encode(withdrawal));
    }

    /// @inheritdoc IDelegationManager
    function calculateDelegationApprovalDigestHash(
        address staker,
        address operator,
        address approver,
        bytes32 approverSalt,
        uint256 expiry
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(DELEGATION_APPROVAL_TYPEHASH, approver, staker, operator, approverSalt, expiry))
            );
    }

    /// @inheritdoc ISignatureUtilsMixin
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals

    function _checkOperatorCaller(address operator) internal view {
        if (!isOperator(operator)) revert OperatorNotRegistered(operator);
        if (msg.sender != operator) revert CallerNotOperator(msg.sender, operator);
    }

    function _checkApproverSignature(
        address staker,
        address operator,
        SignatureWithExpiry memory signature,
        bytes32 salt
    ) internal {
        address approver = delegationApprover[operator];
        if (approver == address(0)) return;
        if (delegationApproverSaltIsSpent[approver][salt]) revert SaltSpent(approver, salt);
        // EIP-712 signature expiry chosen by the signer; seconds of leeway are accepted by design
        // solhint-disable-next-line not-rely-on-time
        if (signature.expiry < block.timestamp) revert SignatureExpired(signature.expiry, block.timestamp);
        delegationApproverSaltIsSpent[approver][salt] = true;
        bytes32 digest = calculateDelegationApprovalDigestHash(staker, operator, approver, salt, signature.expiry);
        if (!SignatureChecker.isValidSignatureNow(approver, digest, signature.signature)) {
            revert InvalidSignature(approver);
        }
    }

    /// @dev Delegates all of `staker`'s shares to `operator`: the new deposit scaling factor forgives the
    /// operator's past slashing (`k = k / m`), so the staker's withdrawable shares do not change.
    function _delegate(address staker, address operator) internal onlyWhenNotPaused(PAUSED_NEW_DELEGATION) {
        (IStrategy[] memory strategies, uint256[] memory depositShares) = strategyManager.getDeposits(staker);
        delegatedTo[staker] = operator;
        emit StakerDelegated(staker, operator);
        for (uint256 i = 0; i < strategies.length; ++i) {
            // Undelegated stakers have slashing factor WAD and factor WAD, so withdrawable == deposit shares.
            uint256 withdrawable = depositShares[i].calcWithdrawableRoundDown(
                _depositScalingFactor[staker][strategies[i]],
                WAD
            );
            _increaseDelegation(
                operator,
                staker,
                strategies[i],
                0,
                withdrawable,
                _slashingFactor(operator, strategies[i])
            );
        }
    }

    /// @dev Queues one withdrawal per strategy of all of `staker`'s shares and clears the delegation.
    function _undelegate(
        address staker
    ) internal onlyWhenNotPaused(PAUSED_ENTER_WITHDRAWAL_QUEUE) returns (bytes32[] memory withdrawalRoots) {
        address operator = delegatedTo[staker];
        (IStrategy[] memory strategies, uint256[] memory depositShares) = strategyManager.getDeposits(staker);
        withdrawalRoots = new bytes32[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy[] memory one = new IStrategy[](1);
            uint256[] memory oneShares = new uint256[](1);
            one[0] = strategies[i];
            oneShares[0] = depositShares[i];
            withdrawalRoots[i] = _removeSharesAndQueueWithdrawal(staker, operator, one, oneShares);
        }
        delegatedTo[staker] = address(0);
        emit StakerUndelegated(staker, operator);
    }

    function _removeSharesAndQueueWithdrawal(
        address staker,
        address operator,
        IStrategy[] memory strategies,
        uint256[] memory depositSharesToWithdraw
    ) internal returns (bytes32 withdrawalRoot) {
        if (strategies.length == 0) revert InputArrayLengthZero();
        uint256[] memory scaledShares = new uint256[](strategies.length);
        uint256[] memory withdrawableShares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy strategy = strategies[i];
            if (depositSharesToWithdraw[i] == 0) revert WithdrawalSharesZero(strategy);
            uint256 dsf = _depositScalingFactor[staker][strategy];
            withdrawableShares[i] = depositSharesToWithdraw[i].calcWithdrawableRoundDown(
                dsf,
                _slashingFactor(operator, strategy)
            );
            scaledShares[i] = depositSharesToWithdraw[i].scaleForQueueWithdrawalRoundDown(dsf);
            if (operator != address(0)) {
                // The queued shares stay slashable for the withdrawal delay.
                Checkpoints.Trace224 storage history = _cumulativeScaledSharesHistory[operator][strategy];
                history.push(uint32(block.number), (uint256(history.latest()) + scaledShares[i]).toUint224());
                operatorShares[operator][strategy] -= withdrawableShares[i];
                emit OperatorSharesDecreased(operator, staker, strategy, withdrawableShares[i]);
            }
            if (strategyManager.removeDepositShares(staker, strategy, depositSharesToWithdraw[i]) == 0) {
                delete _depositScalingFactor[staker][strategy];
                emit DepositScalingFactorUpdated(staker, strategy, WAD);
            }
        }
        Withdrawal memory withdrawal = Withdrawal({
            staker: staker,
            delegatedTo: operator,
            withdrawer: staker,
            nonce: cumulativeWithdrawalsQueued[staker]++,
            startBlock: uint32(block.number),
            strategies: strategies,
            scaledShares: scaledShares
        });
        withdrawalRoot = calculateWithdrawalRoot(withdrawal);
        _queuedWithdrawals[withdrawalRoot] = withdrawal;
        _stakerQueuedWithdrawalRoots[staker].add(withdrawalRoot);
        emit SlashingWithdrawalQueued(withdrawalRoot, withdrawal, withdrawableShares);
    }

    function _completeQueuedWithdrawal(
        Withdrawal calldata withdrawal,
        IERC20[] calldata tokens,
        bool receiveAsTokens
    ) internal {
        if (msg.sender != withdrawal.withdrawer) revert WithdrawerNotCaller(withdrawal.withdrawer, msg.sender);
        if (receiveAsTokens && tokens.length != withdrawal.strategies.length) {
            revert InputArrayLengthMismatch(tokens.length, withdrawal.strategies.length);
        }
        bytes32 withdrawalRoot = calculateWithdrawalRoot(withdrawal);
        if (!_stakerQueuedWithdrawalRoots[withdrawal.staker].contains(withdrawalRoot)) {
            revert WithdrawalNotQueued(withdrawalRoot);
        }
        uint32 slashableUntil = withdrawal.startBlock + minWithdrawalDelayBlocks;
        if (block.number <= slashableUntil) revert WithdrawalDelayNotElapsed(slashableUntil, block.number);
        uint256[] memory factorsAtEnd = _slashingFactorsAtBlock(
            withdrawal.delegatedTo,
            withdrawal.strategies,
            slashableUntil
        );

        _stakerQueuedWithdrawalRoots[withdrawal.staker].remove(withdrawalRoot);
        delete _queuedWithdrawals[withdrawalRoot];
        emit SlashingWithdrawalCompleted(withdrawalRoot);

        address newOperator = delegatedTo[withdrawal.staker];
        for (uint256 i = 0; i < withdrawal.strategies.length; ++i) {
            IStrategy strategy = withdrawal.strategies[i];
            uint256 shares = withdrawal.scaledShares[i].scaleForCompleteWithdrawalRoundDown(factorsAtEnd[i]);
            if (shares == 0) continue;
            if (receiveAsTokens) {
                strategyManager.withdrawSharesAsTokens(withdrawal.staker, strategy, tokens[i], shares);
            } else {
                (uint256 prevDepositShares, uint256 addedShares) = strategyManager.addShares(
                    withdrawal.staker,
                    strategy,
                    shares
                );
                _increaseDelegation(
                    newOperator,
                    withdrawal.staker,
                    strategy,
                    prevDepositShares,
                    addedShares,
                    _slashingFactor(newOperator, strategy)
                );
            }
        }
    }

    function _increaseDelegation(
        address operator,
        address staker,
        IStrategy strategy,
        uint256 prevDepositShares,
        uint256 addedShares,
        uint256 slashingFactor
    ) internal {
        if (slashingFactor == 0) revert FullySlashed(operator, strategy);
        if (addedShares == 0) return;
        uint256 newFactor = prevDepositShares.updateDepositScalingFactorRoundDown(
            addedShares,
            _depositScalingFactor[staker][strategy],
            slashingFactor
        );
        _depositScalingFactor[staker][strategy] = newFactor;
        emit DepositScalingFactorUpdated(staker, strategy, newFactor);
        if (operator != address(0)) {
            operatorShares[operator][strategy] += addedShares;
            emit OperatorSharesIncreased(operator, staker, strategy, addedShares);
        }
    }

    /// @dev Shares queued for withdrawal from `operator` within the last `minWithdrawalDelayBlocks` blocks
    /// (still slashable) that a magnitude drop prevMax -> newMax takes:
    /// `calcSlashedAmount(scaledSharesInWindow * prevMax, prevMax, newMax)`.
    function _slashableSharesInQueue(
        address operator,
        IStrategy strategy,
        uint64 prevMax,
        uint64 newMax
    ) internal view returns (uint256) {
        Checkpoints.Trace224 storage history = _cumulativeScaledSharesHistory[operator][strategy];
        uint256 current = history.latest();
        uint256 windowStart = uint256(minWithdrawalDelayBlocks) + 1;
        uint256 before = block.number > windowStart ? history.upperLookup(uint32(block.number - windowStart)) : 0;
        uint256 inWindow = current - before;
        return inWindow.mulWad(prevMax).calcSlashedAmountRoundDown(prevMax, newMax);
    }

    function _slashingFactor(address operator, IStrategy strategy) internal view returns (uint256) {
        if (operator == address(0)) return WAD;
        return allocationManager.getMaxMagnitude(operator, strategy);
    }

    function _slashingFactorsAtBlock(
        address operator,
        IStrategy[] memory strategies,
        uint32 blockNumber
    ) internal view returns (uint256[] memory factors) {
        factors = new uint256[](strategies.length);
        if (operator == address(0)) {
            for (uint256 i = 0; i < strategies.length; ++i) {
                factors[i] = WAD;
            }
            return factors;
        }
        uint64[] memory mags = allocationManager.getMaxMagnitudesAtBlock(operator, strategies, blockNumber);
        for (uint256 i = 0; i < strategies.length; ++i) {
            factors[i] = mags[i];
        }
    }

    /// @dev Shares a queued withdrawal pays: with the factor at the end of its delay once that has passed,
    /// else with the operator's current factor (which can still fall).
    function _withdrawalSharesNow(Withdrawal memory withdrawal) internal view returns (uint256[] memory shares) {
        shares = new uint256[](withdrawal.strategies.length);
        if (withdrawal.strategies.length == 0) return shares;
        uint32 slashableUntil = withdrawal.startBlock + minWithdrawalDelayBlocks;
        uint256[] memory factors;
        if (block.number > slashableUntil) {
            factors = _slashingFactorsAtBlock(withdrawal.delegatedTo, withdrawal.strategies, slashableUntil);
        } else {
            factors = new uint256[](withdrawal.strategies.length);
            for (uint256 i = 0; i < withdrawal.strategies.length; ++i) {
                factors[i] = _slashingFactor(withdrawal.delegatedTo, withdrawal.strategies[i]);
            }
        }
        for (uint256 i = 0; i < withdrawal.strategies.length; ++i) {
            shares[i] = withdrawal.scaledShares[i].scaleForCompleteWithdrawalRoundDown(factors[i]);
        }
    }
}
