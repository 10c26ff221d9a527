// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {IStrategyManagerErrors} from "../../../contracts/interfaces/IStrategyManager.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {InstantSlasher} from "../../../contracts/slashers/InstantSlasher.sol";
import {VictimPayout} from "../../../contracts/slashers/VictimPayout.sol";
import {SlasherTestBase} from "./SlasherTestBase.sol";

/// Issue 4's scenario end to end on the real core: an operator in a redistributing set is slashed 50%;
/// a staker who queued a withdrawal one block earlier still loses 50%; after the resolution delay the
/// slashed tokens reach the VictimPayout and the victims claim exactly those tokens.
contract RedistributionToVictimsTest is SlasherTestBase {
    InstantSlasher internal slasher;
    VictimPayout internal payout;
    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public override {
        super.setUp();
        slasher = new InstantSlasher(am, avs, owner);
        payout = new VictimPayout(owner);
        vm.prank(owner);
        slasher.setSlashRequester(owner, true);
        _operatorInSet(7, address(slasher), address(payout), 100e18, WAD);
    }

    function test_queuedWithdrawalStillLosesHalf_andVictimsClaimExactlyTheRedistributedTokens() public {
        assertEq(am.getRedistributionRecipient(OperatorSet(avs, 7)), address(payout));
        IDelegationManagerTypes.Withdrawal memory withdrawal = _queueAll(staker);
        vm.roll(block.number + 1);

        vm.prank(owner);
        (, uint256 slashId, uint256[] memory shares) = slasher.slash(_params(7, WAD / 2));
        assertEq(shares[0], 50e18, "the queued shares were slashed");

        // The staker completes after the delay and receives half.
        vm.roll(withdrawal.startBlock + MIN_WITHDRAWAL_DELAY + 1);
        _completeAsTokens(staker, withdrawal);
        assertEq(token.balanceOf(staker), 50e18);

        // Clearing waits for the slash resolution delay, then sends the tokens to the payout.
        OperatorSet memory set = OperatorSet(avs, 7);
        uint32 resolution = sm.getSlashResolutionBlock(set, slashId);
        if (block.number <= resolution) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IStrategyManagerErrors.SlashResolutionDelayNotElapsed.selector,
                    slashId,
                    resolution,
                    block.number
                )
            );
            sm.clearBurnOrRedistributableShares(set, slashId);
            vm.roll(resolution + 1);
        }
        uint256[] memory amounts = sm.clearBurnOrRedistributableShares(set, slashId);
        uint256 redistributed = amounts[0];
        assertEq(redistributed, 50e18);
        assertEq(token.balanceOf(address(payout)), redistributed);

        // Victims owed 30 and 20 claim exactly the redistributed tokens.
        address[] memory victims = new address[](2);
        (victims[0], victims[1]) = (alice, bob);
        uint256[] memory owed = new uint256[](2);
        (owed[0], owed[1]) = (30e18, 20e18);
        vm.prank(owner);
        uint256 id = payout.createPayout(token, victims, owed, "slash 1 of set 7");
        assertEq(payout.fund(id), redistributed);
        vm.prank(alice);
        payout.claim(id, alice);
        vm.prank(bob);
        payout.claim(id, bob);
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), redistributed);
        assertEq(token.balanceOf(alice), 30e18);
        assertEq(token.balanceOf(bob), 20e18);
        assertEq(token.balanceOf(address(payout)), 0);
        // Nothing was created or lost: the strategy holds nothing more.
        assertEq(token.balanceOf(address(strategy)), 0);
    }
}
