// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {IAllocationManager} from "./IAllocationManager.sol";
import {IPausable} from "./IPausable.sol";
import {ISignatureUtilsMixin} from "./ISignatureUtilsMixin.sol";
import {IStrategy} from "./IStrategy.sol";
import {IStrategyManager} from "./IStrategyManager.sol";

/// @title IDelegationManagerErrors
interface IDelegationManagerErrors {
    /// @notice Thrown when a StrategyManager-only function is called by someone else.
    error OnlyStrategyManager(address caller);
    /// @notice Thrown when an AllocationManager-only function is called by someone else.
    error OnlyAllocationManager(address caller);
    /// @notice Thrown when an operator tries to undelegate from itself.
    error OperatorsCannotUndelegate(address operator);
    /// @notice Thrown when a delegated staker tries to delegate or register again.
    error ActivelyDelegated(address staker, address operator);
    /// @notice Thrown when an undelegated staker tries to undelegate.
    error NotActivelyDelegated(address staker);
    /// @notice Thrown when `operator` is not a registered operator.
    error OperatorNotRegistered(address operator);
    /// @notice Thrown when a withdrawal is not (or no longer) queued.
    error WithdrawalNotQueued(bytes32 withdrawalRoot);
    /// @notice Thrown when someone other than the staker, its operator or the operator's approver undelegates.
    error CallerCannotUndelegate(address caller, address staker);
    /// @notice Thrown when two arrays that must match in length do not.
    error InputArrayLengthMismatch(uint256 length1, uint256 length2);
    /// @notice Thrown when an array that must be non-empty is empty.
    error InputArrayLengthZero();
    /// @notice Thrown when `operator` has max magnitude 0 in `strategy`: no new stake can be delegated there.
    error FullySlashed(address operator, IStrategy strategy);
    /// @notice Thrown when an approver salt is reused.
    error SaltSpent(address approver, bytes32 salt);
    /// @notice Thrown when a withdrawal is completed before `slashableUntil` has passed.
    error WithdrawalDelayNotElapsed(uint32 slashableUntil, uint256 currentBlock);
    /// @notice Thrown when a withdrawal is completed by someone other than its withdrawer.
    error WithdrawerNotCaller(address withdrawer, address caller);
    /// @notice Thrown when queueing a withdrawal of zero deposit shares.
    error WithdrawalSharesZero(IStrategy strategy);
    /// @notice Thrown when an operator-only function is called by someone other than `operator`.
    error CallerNotOperator(address caller, address operator);
    /// @notice Thrown when the StrategyManager and AllocationManager are not yet set.
    error CoreContractsNotSet();
    /// @notice Thrown when the StrategyManager and AllocationManager are set a second time.
    error CoreContractsAlreadySet();
}

/// @title IDelegationManagerTypes
interface IDelegationManagerTypes {
    /// @notice A queued withdrawal. `scaledShares` are deposit shares times the staker's deposit scaling
    /// factor; completion multiplies them by the operator's slashing factor at the end of the delay.
    struct Withdrawal {
        address staker;
        address delegatedTo;
        address withdrawer;
        uint256 nonce;
        uint32 startBlock;
        IStrategy[] strategies;
        uint256[] scaledShares;
    }

    /// @notice One withdrawal request: deposit shares to withdraw per strategy.
    /// @dev `__deprecated_withdrawer` is ignored (the staker is always the withdrawer), as in EigenLayer.
    struct QueuedWithdrawalParams {
        IStrategy[] strategies;
        uint256[] depositShares;
        address __deprecated_withdrawer;
    }
}

/// @title IDelegationManagerEvents
interface IDelegationManagerEvents is IDelegationManagerTypes {
    /// @notice Emitted when an operator registers.
    event OperatorRegistered(address indexed operator, address delegationApprover);
    /// @notice Emitted when an operator changes its delegation approver.
    event DelegationApproverUpdated(address indexed operator, address newDelegationApprover);
    /// @notice Emitted when an operator's metadata URI changes.
    event OperatorMetadataURIUpdated(address indexed operator, string metadataURI);
    /// @notice Emitted when an operator's delegated shares grow.
    event OperatorSharesIncreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    /// @notice Emitted when an operator's delegated shares shrink.
    event OperatorSharesDecreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    /// @notice Emitted when a staker delegates.
    event StakerDelegated(address indexed staker, address indexed operator);
    /// @notice Emitted when a staker undelegates.
    event StakerUndelegated(address indexed staker, address indexed operator);
    /// @notice Emitted when the operator or its approver undelegates a staker.
    event StakerForceUndelegated(address indexed staker, address indexed operator);
    /// @notice Emitted when a staker's deposit scaling factor changes.
    event DepositScalingFactorUpdated(address staker, IStrategy strategy, uint256 newDepositScalingFactor);
    /// @notice Emitted when a withdrawal is queued, with the withdrawable shares it held at queue time.
    event SlashingWithdrawalQueued(bytes32 withdrawalRoot, Withdrawal withdrawal, uint256[] sharesToWithdraw);
    /// @notice Emitted when a withdrawal completes.
    event SlashingWithdrawalCompleted(bytes32 withdrawalRoot);
    /// @notice Emitted when a slash takes shares from an operator (its delegated and queued shares).
    event OperatorSharesSlashed(address indexed operator, IStrategy strategy, uint256 totalSlashedShares);
    /// @notice Emitted once, when governance wires the StrategyManager and AllocationManager.
    event CoreContractsSet(IStrategyManager strategyManager, IAllocationManager allocationManager);
}

/// @title IDelegationManager
/// @notice Operators, delegation, deposit scaling factors and queued withdrawals (EigenLayer-compatible).
/// A staker's withdrawable shares are `depositShares * depositScalingFactor * slashingFactor`, where the
/// slashing factor is the operator's max magnitude in the strategy.
interface IDelegationManager is IDelegationManagerErrors, IDelegationManagerEvents, ISignatureUtilsMixin, IPausable {
    /// @notice Registers the caller as an operator delegated to itself, with its allocation delay
    /// (effective at once) and an optional approver that must sign each new delegation.
    function registerAsOperator(
        address initDelegationApprover,
        uint32 allocationDelay,
        string calldata metadataURI
    ) external;

    /// @notice Changes `operator`'s delegation approver. Only the operator.
    function modifyOperatorDetails(address operator, address newDelegationApprover) external;

    /// @notice Emits a new metadata URI for `operator`. Only the operator.
    function updateOperatorMetadataURI(address operator, string calldata metadataURI) external;

    /// @notice Delegates all of the caller's shares to `operator`. If the operator has an approver, the
    /// approver's EIP-712 signature over (staker, operator, salt, expiry) is required.
    function delegateTo(
        address operator,
        SignatureWithExpiry memory approverSignatureAndExpiry,
        bytes32 approverSalt
    ) external;

    /// @notice Undelegates `staker`, queueing one withdrawal per strategy. Callable by the staker, its
    /// operator or the operator's approver.
    /// @return withdrawalRoots The queued withdrawals.
    function undelegate(address staker) external returns (bytes32[] memory withdrawalRoots);

    /// @notice Undelegates the caller (queueing all shares) and delegates to `newOperator`.
    function redelegate(
        address newOperator,
        SignatureWithExpiry memory newOperatorApproverSig,
        bytes32 approverSalt
    ) external returns (bytes32[] memory withdrawalRoots);

    /// @notice Queues withdrawals of deposit shares. Queued shares leave the operator's shares at once but
    /// stay slashable for `minWithdrawalDelayBlocks`.
    function queueWithdrawals(QueuedWithdrawalParams[] calldata params) external returns (bytes32[] memory);

    /// @notice Completes a queued withdrawal after its delay, as tokens (`receiveAsTokens`) or as
    /// deposit shares re-delegated to the staker's current operator. Only the withdrawer.
    function completeQueuedWithdrawal(
        Withdrawal calldata withdrawal,
        IERC20[] calldata tokens,
        bool receiveAsTokens
    ) external;

    /// @notice Completes several queued withdrawals.
    function completeQueuedWithdrawals(
        Withdrawal[] calldata withdrawals,
        IERC20[][] calldata tokens,
        bool[] calldata receiveAsTokens
    ) external;

    /// @notice Accounts a deposit: updates the staker's deposit scaling factor and its operator's shares.
    /// @dev Only the StrategyManager.
    function increaseDelegatedShares(
        address staker,
        IStrategy strategy,
        uint256 prevDepositShares,
        uint256 addedShares
    ) external;

    /// @notice Slashes `operator`'s shares in `strategy` by the magnitude drop prevMax -> newMax, including
    /// shares queued for withdrawal within the delay, and records them for burning or redistribution.
    /// @dev Only the AllocationManager.
    /// @return totalDepositSharesToSlash The shares recorded for burning or redistribution.
    function slashOperatorShares(
        address operator,
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external returns (uint256 totalDepositSharesToSlash);

    /// @notice Wires the StrategyManager and AllocationManager, once. Only the owner.
    function setCoreContracts(IStrategyManager strategyManager_, IAllocationManager allocationManager_) external;

    /// @notice The operator `staker` is delegated to (zero if none).
    function delegatedTo(address staker) external view returns (address);

    /// @notice Whether `approver` has used `salt`.
    function delegationApproverSaltIsSpent(address approver, bytes32 salt) external view returns (bool);

    /// @notice How many withdrawals `staker` has queued in total (the next withdrawal nonce).
    function cumulativeWithdrawalsQueued(address staker) external view returns (uint256);

    /// @notice Whether `staker` is delegated.
    function isDelegated(address staker) external view returns (bool);

    /// @notice Whether `operator` is a registered operator.
    function isOperator(address operator) external view returns (bool);

    /// @notice `operator`'s delegation approver (zero if none).
    function delegationApprover(address operator) external view returns (address);

    /// @notice Shares delegated to `operator` in `strategy`.
    function operatorShares(address operator, IStrategy strategy) external view returns (uint256);

    /// @notice Shares delegated to `operator` per strategy.
    function getOperatorShares(
        address operator,
        IStrategy[] memory strategies
    ) external view returns (uint256[] memory);

    /// @notice Shares delegated to each operator per strategy.
    function getOperatorsShares(
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory);

    /// @notice Shares of `operator` queued for withdrawal in `strategy` that are still slashable.
    function getSlashableSharesInQueue(address operator, IStrategy strategy) external view returns (uint256);

    /// @notice `staker`'s withdrawable shares (after slashing) and deposit shares per strategy.
    function getWithdrawableShares(
        address staker,
        IStrategy[] memory strategies
    ) external view returns (uint256[] memory withdrawableShares, uint256[] memory depositShares);

    /// @notice `staker`'s strategies and deposit shares.
    function getDepositedShares(address staker) external view returns (IStrategy[] memory, uint256[] memory);

    /// @notice `staker`'s deposit scaling factor in `strategy` (WAD by default).
    function depositScalingFactor(address staker, IStrategy strategy) external view returns (uint256);

    /// @notice The queued withdrawal with root `withdrawalRoot`.
    function queuedWithdrawals(bytes32 withdrawalRoot) external view returns (Withdrawal memory withdrawal);

    /// @notice The queued withdrawal with root `withdrawalRoot` and the shares it would pay now.
    function getQueuedWithdrawal(
        bytes32 withdrawalRoot
    ) external view returns (Withdrawal memory withdrawal, uint256[] memory shares);

    /// @notice `staker`'s queued withdrawals and the shares each would pay now.
    function getQueuedWithdrawals(
        address staker
    ) external view returns (Withdrawal[] memory withdrawals, uint256[][] memory shares);

    /// @notice The roots of `staker`'s queued withdrawals.
    function getQueuedWithdrawalRoots(address staker) external view returns (bytes32[] memory);

    /// @notice Deposit shares corresponding to `withdrawableShares` for `staker` now.
    function convertToDepositShares(
        address staker,
        IStrategy[] memory strategies,
        uint256[] memory withdrawableShares
    ) external view returns (uint256[] memory);

    /// @notice keccak256(abi.encode(withdrawal)).
    function calculateWithdrawalRoot(Withdrawal memory withdrawal) external pure returns (bytes32);

    /// @notice The EIP-712 digest an operator's approver signs to allow `staker` to delegate.
    function calculateDelegationApprovalDigestHash(
        address staker,
        address operator,
        address approver,
        bytes32 approverSalt,
        uint256 expiry
    ) external view returns (bytes32);

    /// @notice Blocks a queued withdrawal stays slashable before it can complete.
    function minWithdrawalDelayBlocks() external view returns (uint32);

    /// @notice The StrategyManager.
    function strategyManager() external view returns (IStrategyManager);

    /// @notice The AllocationManager.
    function allocationManager() external view returns (IAllocationManager);

    /// @notice EIP-712 typehash of `DelegationApproval`.
    function DELEGATION_APPROVAL_TYPEHASH() external view returns (bytes32);
}
