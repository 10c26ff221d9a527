// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {DelegationManager} from "../../../contracts/core/DelegationManager.sol";
import {IDelegationManagerErrors, IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {IPausable} from "../../../contracts/interfaces/IPausable.sol";
import {ISignatureUtilsMixin} from "../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {IStrategyManager} from "../../../contracts/interfaces/IStrategyManager.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

contract DelegationManagerTest is RestakingTestBase {
    address internal operator = makeAddr("operator");
    address internal alice = makeAddr("alice");
    address internal approver;
    uint256 internal approverKey;

    function setUp() public override {
        super.setUp();
        (approver, approverKey) = makeAddrAndKey("approver");
        _registerOperator(operator, 0);
    }

    function _approval(
        address staker,
        address op,
        bytes32 salt,
        uint256 expiry
    ) internal view returns (ISignatureUtilsMixin.SignatureWithExpiry memory sig) {
        bytes32 digest = dm.calculateDelegationApprovalDigestHash(staker, op, approver, salt, expiry);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(approverKey, digest);
        sig = ISignatureUtilsMixin.SignatureWithExpiry({signature: abi.encodePacked(r, s, v), expiry: expiry});
    }

    // ------------------------------------------------------------------ registration

    function test_registerAsOperatorDelegatesToSelfAndSetsDelay() public view {
        assertTrue(dm.isOperator(operator));
        assertEq(dm.delegatedTo(operator), operator);
        (bool isSet, uint32 delay) = am.getAllocationDelay(operator);
        assertTrue(isSet);
        assertEq(delay, 0);
    }

    function test_registerTwiceReverts() public {
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IDelegationManagerErrors.ActivelyDelegated.selector, operator, operator)
        );
        dm.registerAsOperator(address(0), 0, "");
    }

    function test_operatorDetailsOnlyByOperator() public {
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.CallerNotOperator.selector, alice, operator));
        vm.prank(alice);
        dm.modifyOperatorDetails(operator, approver);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OperatorNotRegistered.selector, alice));
        vm.prank(alice);
        dm.updateOperatorMetadataURI(alice, "x");
        vm.startPrank(operator);
        dm.modifyOperatorDetails(operator, approver);
        dm.updateOperatorMetadataURI(operator, "ipfs://new");
        vm.stopPrank();
        assertEq(dm.delegationApprover(operator), approver);
    }

    function test_coreContractsSetOnceByOwner() public {
        vm.prank(governance);
        vm.expectRevert(IDelegationManagerErrors.CoreContractsAlreadySet.selector);
        dm.setCoreContracts(sm, am);
        DelegationManager fresh = new DelegationManager(pauserRegistry, governance, 1);
        vm.prank(governance);
        vm.expectRevert(IPausable.InputAddressZero.selector);
        fresh.setCoreContracts(IStrategyManager(address(0)), am);
        vm.expectRevert(IDelegationManagerErrors.CoreContractsNotSet.selector);
        fresh.registerAsOperator(address(0), 0, "");
    }

    // ------------------------------------------------------------------ delegation

    function test_delegationMovesWithdrawableSharesToOperator() public {
        _deposit(alice, strategy, 10e18);
        _delegate(alice, operator);
        assertEq(dm.delegatedTo(alice), operator);
        assertEq(_operatorShares(operator, strategy), 10e18);
        assertEq(_withdrawable(alice, strategy), 10e18);
        // Deposits after delegation go to the operator too.
        _deposit(alice, strategy, 5e18);
        assertEq(_operatorShares(operator, strategy), 15e18);
    }

    function test_delegateToNonOperatorReverts() public {
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OperatorNotRegistered.selector, alice));
        dm.delegateTo(alice, noSig, bytes32(0));
    }

    function test_delegateTwiceReverts() public {
        _delegate(alice, operator);
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.ActivelyDelegated.selector, alice, operator));
        dm.delegateTo(operator, noSig, bytes32(0));
    }

    function test_approverSignatureRequiredAndSaltSingleUse() public {
        vm.prank(operator);
        dm.modifyOperatorDetails(operator, approver);
        uint256 expiry = block.timestamp + 100;
        ISignatureUtilsMixin.SignatureWithExpiry memory sig = _approval(alice, operator, "salt", expiry);

        // A signature for someone else does not verify.
        address bob = makeAddr("bob");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ISignatureUtilsMixin.InvalidSignature.selector, approver));
        dm.delegateTo(operator, sig, "salt");

        vm.prank(alice);
        dm.delegateTo(operator, sig, "salt");
        assertTrue(dm.delegationApproverSaltIsSpent(approver, "salt"));

        // The salt cannot be used again.
        ISignatureUtilsMixin.SignatureWithExpiry memory sig2 = _approval(bob, operator, "salt2", expiry);
        vm.prank(bob);
        dm.delegateTo(operator, sig2, "salt2");
        address carol = makeAddr("carol");
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.SaltSpent.selector, approver, bytes32("salt")));
        dm.delegateTo(operator, sig, "salt");
    }

    function test_expiredApproverSignatureReverts() public {
        vm.prank(operator);
        dm.modifyOperatorDetails(operator, approver);
        uint256 expiry = block.timestamp - 1;
        ISignatureUtilsMixin.SignatureWithExpiry memory sig = _approval(alice, operator, "s", expiry);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ISignatureUtilsMixin.SignatureExpired.selector, expiry, block.timestamp)
        );
        dm.delegateTo(operator, sig, "s");
    }

    function test_pausedDelegationReverts() public {
        vm.prank(pauser);
        dm.pause(1 << 0);
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(0)));
        dm.delegateTo(operator, noSig, bytes32(0));
    }

    // ------------------------------------------------------------------ undelegation

    function test_undelegateQueuesAllShares() public {
        _deposit(alice, strategy, 10e18);
        _delegate(alice, operator);
        vm.prank(alice);
        bytes32[] memory roots = dm.undelegate(alice);
        assertEq(roots.length, 1);
        assertFalse(dm.isDelegated(alice));
        assertEq(_operatorShares(operator, strategy), 0);
        assertEq(sm.stakerDepositShares(alice, strategy), 0);
        (IDelegationManagerTypes.Withdrawal memory w, uint256[] memory shares) = dm.getQueuedWithdrawal(roots[0]);
        assertEq(w.delegatedTo, operator);
        assertEq(shares[0], 10e18);
        assertEq(dm.getQueuedWithdrawalRoots(alice)[0], roots[0]);
    }

    function test_undelegateRules() public {
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.NotActivelyDelegated.selector, alice));
        dm.undelegate(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OperatorsCannotUndelegate.selector, operator));
        dm.undelegate(operator);
        _delegate(alice, operator);
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IDelegationManagerErrors.CallerCannotUndelegate.selector, stranger, alice)
        );
        dm.undelegate(alice);
        // The operator may force-undelegate.
        vm.prank(operator);
        dm.undelegate(alice);
        assertFalse(dm.isDelegated(alice));
    }

    function test_redelegateMovesToNewOperator() public {
        address operator2 = makeAddr("operator2");
        _registerOperator(operator2, 0);
        _deposit(alice, strategy, 4e18);
        _delegate(alice, operator);
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(alice);
        bytes32[] memory roots = dm.redelegate(operator2, noSig, bytes32(0));
        assertEq(dm.delegatedTo(alice), operator2);
        assertEq(roots.length, 1);
        // Complete as shares: they land with the new operator.
        IDelegationManagerTypes.Withdrawal memory w = dm.queuedWithdrawals(roots[0]);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        _complete(alice, w, false);
        assertEq(_operatorShares(operator2, strategy), 4e18);
        assertEq(_operatorShares(operator, strategy), 0);
    }

    function test_redelegateRules() public {
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.NotActivelyDelegated.selector, alice));
        dm.redelegate(operator, noSig, bytes32(0));
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OperatorsCannotUndelegate.selector, operator));
        dm.redelegate(operator, noSig, bytes32(0));
        _delegate(alice, operator);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OperatorNotRegistered.selector, alice));
        dm.redelegate(alice, noSig, bytes32(0));
    }

    // ------------------------------------------------------------------ withdrawals

    function test_queueAndCompleteAsTokens() public {
        _deposit(alice, strategy, 10e18);
        _delegate(alice, operator);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 4e18);
        assertEq(_operatorShares(operator, strategy), 6e18);
        assertEq(dm.cumulativeWithdrawalsQueued(alice), 1);
        assertEq(dm.getSlashableSharesInQueue(operator, strategy), 4e18);

        vm.roll(w.startBlock + MIN_WITHDRAWAL_DELAY);
        IERC20[] memory tokens = new IERC20[](1);
        tokens[0] = token;
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDelegationManagerErrors.WithdrawalDelayNotElapsed.selector,
                w.startBlock + MIN_WITHDRAWAL_DELAY,
                block.number
            )
        );
        dm.completeQueuedWithdrawal(w, tokens, true);

        vm.roll(w.startBlock + MIN_WITHDRAWAL_DELAY + 1);
        assertEq(dm.getSlashableSharesInQueue(operator, strategy), 0, "out of the slashable window");
        _complete(alice, w, true);
        assertEq(token.balanceOf(alice), 4e18);

        bytes32 root = dm.calculateWithdrawalRoot(w);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.WithdrawalNotQueued.selector, root));
        dm.completeQueuedWithdrawal(w, tokens, true);
    }

    function test_completeAsSharesRedelegates() public {
        _deposit(alice, strategy, 10e18);
        _delegate(alice, operator);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 10e18);
        assertEq(dm.depositScalingFactor(alice, strategy), WAD, "reset when deposit shares reach 0");
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        _complete(alice, w, false);
        assertEq(sm.stakerDepositShares(alice, strategy), 10e18);
        assertEq(_operatorShares(operator, strategy), 10e18);
    }

    function test_completeQueuedWithdrawalsBatch() public {
        _deposit(alice, strategy, 10e18);
        (IDelegationManagerTypes.Withdrawal memory w1, ) = _queue(alice, strategy, 3e18);
        (IDelegationManagerTypes.Withdrawal memory w2, ) = _queue(alice, strategy, 2e18);
        (IDelegationManagerTypes.Withdrawal[] memory all, uint256[][] memory shares) = dm.getQueuedWithdrawals(alice);
        assertEq(all.length, 2);
        assertEq(shares[0][0] + shares[1][0], 5e18);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        IDelegationManagerTypes.Withdrawal[] memory ws = new IDelegationManagerTypes.Withdrawal[](2);
        (ws[0], ws[1]) = (w1, w2);
        IERC20[][] memory tokens = new IERC20[][](2);
        tokens[0] = new IERC20[](1);
        tokens[0][0] = token;
        tokens[1] = tokens[0];
        bool[] memory asTokens = new bool[](2);
        (asTokens[0], asTokens[1]) = (true, true);
        vm.prank(alice);
        dm.completeQueuedWithdrawals(ws, tokens, asTokens);
        assertEq(token.balanceOf(alice), 5e18);

        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.InputArrayLengthMismatch.selector, 2, 1));
        dm.completeQueuedWithdrawals(ws, new IERC20[][](1), asTokens);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.InputArrayLengthMismatch.selector, 2, 1));
        dm.completeQueuedWithdrawals(ws, tokens, new bool[](1));
    }

    function test_queueRules() public {
        _deposit(alice, strategy, 1e18);
        IDelegationManagerTypes.QueuedWithdrawalParams[]
            memory params = new IDelegationManagerTypes.QueuedWithdrawalParams[](1);
        params[0].strategies = _strategies(strategy);
        params[0].depositShares = new uint256[](1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.WithdrawalSharesZero.selector, strategy));
        dm.queueWithdrawals(params);

        params[0].depositShares = new uint256[](0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.InputArrayLengthMismatch.selector, 1, 0));
        dm.queueWithdrawals(params);

        params[0].strategies = new IStrategy[](0);
        vm.prank(alice);
        vm.expectRevert(IDelegationManagerErrors.InputArrayLengthZero.selector);
        dm.queueWithdrawals(params);
    }

    function test_completeRules() public {
        _deposit(alice, strategy, 1e18);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 1e18);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.WithdrawerNotCaller.selector, alice, stranger));
        dm.completeQueuedWithdrawal(w, new IERC20[](1), true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.InputArrayLengthMismatch.selector, 0, 1));
        dm.completeQueuedWithdrawal(w, new IERC20[](0), true);
    }

    function test_hooksOnlyFromCoreContracts() public {
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OnlyStrategyManager.selector, address(this)));
        dm.increaseDelegatedShares(alice, strategy, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.OnlyAllocationManager.selector, address(this)));
        dm.slashOperatorShares(operator, _set(1), 1, strategy, WAD, WAD / 2);
    }

    function test_convertToDepositShares() public {
        _deposit(alice, strategy, 10e18);
        _delegate(alice, operator);
        uint256[] memory w = new uint256[](1);
        w[0] = 4e18;
        assertEq(dm.convertToDepositShares(alice, _strategies(strategy), w)[0], 4e18);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.InputArrayLengthMismatch.selector, 1, 0));
        dm.convertToDepositShares(alice, _strategies(strategy), new uint256[](0));
        address[] memory ops = new address[](1);
        ops[0] = operator;
        assertEq(dm.getOperatorsShares(ops, _strategies(strategy))[0][0], 10e18);
        assertNotEq(dm.domainSeparator(), bytes32(0));
    }
}
