// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IVictimPayout, IVictimPayoutErrors} from "../../../contracts/interfaces/IVictimPayout.sol";
import {VictimPayout} from "../../../contracts/slashers/VictimPayout.sol";

contract PayoutToken is ERC20 {
    constructor() ERC20("Payout", "PAY") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @dev A token that refuses transfers to one blocked address (like USDC's blacklist).
contract BlockingToken is PayoutToken {
    address public blocked;

    function setBlocked(address who) external {
        blocked = who;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(to != blocked, "blocked");
        super._update(from, to, value);
    }
}

contract VictimPayoutTest is Test {
    VictimPayout internal payout;
    PayoutToken internal token;
    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    function setUp() public {
        payout = new VictimPayout(owner);
        token = new PayoutToken();
    }

    function _two(address a, address b) internal pure returns (address[] memory v) {
        v = new address[](2);
        (v[0], v[1]) = (a, b);
    }

    function _amounts(uint256 a, uint256 b) internal pure returns (uint256[] memory v) {
        v = new uint256[](2);
        (v[0], v[1]) = (a, b);
    }

    function _create(uint256 owedAlice, uint256 owedBob) internal returns (uint256 id) {
        vm.prank(owner);
        id = payout.createPayout(token, _two(alice, bob), _amounts(owedAlice, owedBob), "slash 1");
    }

    // --- creation ---------------------------------------------------------------------------------

    function test_createPayout_recordsVictimsAndTotal() public {
        uint256 id = _create(60, 40);
        assertEq(id, 1);
        IVictimPayout.Payout memory p = payout.getPayout(id);
        assertEq(address(p.token), address(token));
        assertEq(p.totalOwed, 100);
        assertEq(p.victims, 2);
        (uint256 owed, uint256 claimed) = payout.victimOf(id, alice);
        assertEq(owed, 60);
        assertEq(claimed, 0);
    }

    function test_createPayout_onlyPayoutManager() public {
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.NotPayoutManager.selector, alice));
        vm.prank(alice);
        payout.createPayout(token, _two(alice, bob), _amounts(1, 1), "");
    }

    function test_createPayout_refusesNoVictims() public {
        vm.expectRevert(IVictimPayoutErrors.NoVictims.selector);
        vm.prank(owner);
        payout.createPayout(token, new address[](0), new uint256[](0), "");
    }

    function test_createPayout_refusesLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.InputArrayLengthMismatch.selector, 2, 1));
        vm.prank(owner);
        payout.createPayout(token, _two(alice, bob), new uint256[](1), "");
    }

    function test_createPayout_refusesZeroAmountOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.ZeroAmountOwed.selector, bob));
        vm.prank(owner);
        payout.createPayout(token, _two(alice, bob), _amounts(1, 0), "");
    }

    function test_createPayout_refusesDuplicateVictim() public {
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.DuplicateVictim.selector, alice));
        vm.prank(owner);
        payout.createPayout(token, _two(alice, alice), _amounts(1, 2), "");
    }

    function test_createPayout_refusesZeroTokenAndZeroVictim() public {
        vm.startPrank(owner);
        vm.expectRevert(IVictimPayoutErrors.ZeroAddress.selector);
        payout.createPayout(IERC20(address(0)), _two(alice, bob), _amounts(1, 1), "");
        vm.expectRevert(IVictimPayoutErrors.ZeroAddress.selector);
        payout.createPayout(token, _two(alice, address(0)), _amounts(1, 1), "");
        vm.stopPrank();
    }

    function test_unknownPayout_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.UnknownPayout.selector, 7));
        payout.fund(7);
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.UnknownPayout.selector, 7));
        payout.claimable(7, alice);
    }

    function test_setPayoutManager_onlyOwner_andManagersCanCreate() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        payout.setPayoutManager(carol, true);
        vm.prank(owner);
        payout.setPayoutManager(carol, true);
        vm.prank(carol);
        assertEq(payout.createPayout(token, _two(alice, bob), _amounts(1, 1), ""), 1);
        vm.prank(owner);
        vm.expectRevert(IVictimPayoutErrors.ZeroAddress.selector);
        payout.setPayoutManager(address(0), true);
    }

    // --- funding and claiming ------------------------------------------------------------------------

    function test_claims_splitRedistributedTokensByAmountOwed() public {
        uint256 id = _create(60e18, 40e18);
        token.mint(address(payout), 50e18); // half of what is owed arrives
        assertEq(payout.fund(id), 50e18);
        assertEq(payout.claimable(id, alice), 30e18);
        assertEq(payout.claimable(id, bob), 20e18);
        vm.prank(alice);
        assertEq(payout.claim(id, alice), 30e18);
        vm.prank(bob);
        assertEq(payout.claim(id, bob), 20e18);
        assertEq(token.balanceOf(alice), 30e18);
        assertEq(token.balanceOf(bob), 20e18);
        assertEq(token.balanceOf(address(payout)), 0);
    }

    function test_fund_isCappedAtTotalOwed_andLeavesTheRestUnassigned() public {
        uint256 id = _create(6, 4);
        token.mint(address(payout), 25);
        assertEq(payout.fund(id), 10);
        assertEq(payout.unassigned(token), 15);
        assertEq(payout.fund(id), 0, "a fully funded payout takes nothing more");
        // A second payout takes the remainder.
        vm.prank(owner);
        uint256 id2 = payout.createPayout(token, _two(carol, bob), _amounts(100, 100), "");
        assertEq(payout.fund(id2), 15);
        assertEq(payout.unassigned(token), 0);
    }

    function test_fund_withNothingAvailable_returnsZero() public {
        uint256 id = _create(6, 4);
        assertEq(payout.fund(id), 0);
    }

    function test_claim_canBeRepeatedAsMoreTokensArrive() public {
        uint256 id = _create(50, 50);
        token.mint(address(payout), 40);
        payout.fund(id);
        vm.prank(alice);
        assertEq(payout.claim(id, alice), 20);
        token.mint(address(payout), 60);
        payout.fund(id);
        vm.prank(alice);
        assertEq(payout.claim(id, alice), 30);
        vm.prank(bob);
        assertEq(payout.claim(id, bob), 50);
    }

    function test_claim_refusesNothingToClaim_forStrangersAndRepeatClaims() public {
        uint256 id = _create(50, 50);
        token.mint(address(payout), 100);
        payout.fund(id);
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.NothingToClaim.selector, id, carol));
        vm.prank(carol);
        payout.claim(id, carol);
        vm.prank(alice);
        payout.claim(id, alice);
        vm.expectRevert(abi.encodeWithSelector(IVictimPayoutErrors.NothingToClaim.selector, id, alice));
        vm.prank(alice);
        payout.claim(id, alice);
    }

    function test_claim_refusesZeroRecipient() public {
        uint256 id = _create(50, 50);
        vm.expectRevert(IVictimPayoutErrors.ZeroAddress.selector);
        vm.prank(alice);
        payout.claim(id, address(0));
    }

    function test_aBlockedVictim_doesNotBlockOthers_andCanClaimElsewhere() public {
        BlockingToken blocking = new BlockingToken();
        blocking.setBlocked(alice);
        vm.prank(owner);
        uint256 id = payout.createPayout(blocking, _two(alice, bob), _amounts(5, 5), "");
        blocking.mint(address(payout), 10);
        payout.fund(id);
        vm.prank(alice);
        vm.expectRevert(bytes("blocked"));
        payout.claim(id, alice);
        vm.prank(bob);
        assertEq(payout.claim(id, bob), 5);
        vm.prank(alice);
        assertEq(payout.claim(id, carol), 5);
        assertEq(blocking.balanceOf(carol), 5);
    }

    function test_unassignedTokens_doNotLeakIntoClaims() public {
        uint256 id = _create(50, 50);
        token.mint(address(payout), 10);
        payout.fund(id);
        token.mint(address(payout), 1000); // arrives but is not funded
        assertEq(payout.claimable(id, alice), 5);
    }

    // --- fuzz --------------------------------------------------------------------------------------

    /// Shares never sum above what was funded, and rounding leaves less than one unit per victim.
    function testFuzz_sharesSumToFundedMinusDustBelowVictimCount(
        uint96 owedA,
        uint96 owedB,
        uint96 owedC,
        uint96 arrived
    ) public {
        owedA = uint96(bound(owedA, 1, type(uint96).max));
        owedB = uint96(bound(owedB, 1, type(uint96).max));
        owedC = uint96(bound(owedC, 1, type(uint96).max));
        address[] memory victims = new address[](3);
        (victims[0], victims[1], victims[2]) = (alice, bob, carol);
        uint256[] memory owed = new uint256[](3);
        (owed[0], owed[1], owed[2]) = (uint256(owedA), uint256(owedB), uint256(owedC));
        vm.prank(owner);
        uint256 id = payout.createPayout(token, victims, owed, "");
        token.mint(address(payout), arrived);
        uint256 funded = payout.fund(id);
        uint256 total = uint256(owedA) + owedB + owedC;
        assertEq(funded, arrived < total ? arrived : total);
        uint256 sum;
        for (uint256 i = 0; i < 3; ++i) {
            uint256 c = payout.claimable(id, victims[i]);
            assertLe(c, owed[i], "never more than owed");
            if (c > 0) {
                vm.prank(victims[i]);
                payout.claim(id, victims[i]);
            }
            sum += c;
        }
        assertLe(sum, funded);
        assertLt(funded - sum, 3);
    }
}

/// @dev Drives a VictimPayout with random arrivals, fundings and claims across a few payouts.
contract VictimPayoutHandler is Test {
    VictimPayout public payout;
    PayoutToken public token;
    address[3] public victims;
    uint256 public payouts;

    constructor(VictimPayout payout_, PayoutToken token_, address owner) {
        payout = payout_;
        token = token_;
        victims = [makeAddr("v0"), makeAddr("v1"), makeAddr("v2")];
        vm.prank(owner);
        payout.setPayoutManager(address(this), true);
    }

    function create(uint64 a, uint64 b, uint64 c) external {
        if (payouts >= 4) return;
        address[] memory v = new address[](3);
        (v[0], v[1], v[2]) = (victims[0], victims[1], victims[2]);
        uint256[] memory owed = new uint256[](3);
        (owed[0], owed[1], owed[2]) = (bound(a, 1, 1e24), bound(b, 1, 1e24), bound(c, 1, 1e24));
        payout.createPayout(token, v, owed, "");
        ++payouts;
    }

    function arrive(uint64 amount) external {
        token.mint(address(payout), amount);
    }

    function fund(uint256 id) external {
        if (payouts == 0) return;
        payout.fund(bound(id, 1, payouts));
    }

    function claim(uint256 id, uint256 who) external {
        if (payouts == 0) return;
        id = bound(id, 1, payouts);
        address victim = victims[bound(who, 0, 2)];
        if (payout.claimable(id, victim) == 0) return;
        vm.prank(victim);
        payout.claim(id, victim);
    }
}

contract VictimPayoutInvariantTest is Test {
    VictimPayout internal payout;
    PayoutToken internal token;
    VictimPayoutHandler internal handler;

    function setUp() public {
        address owner = makeAddr("owner");
        payout = new VictimPayout(owner);
        token = new PayoutToken();
        handler = new VictimPayoutHandler(payout, token, owner);
        targetContract(address(handler));
    }

    /// The balance always covers what funded payouts still owe their victims.
    function invariant_balanceCoversReserved() public view {
        uint256 reserved;
        for (uint256 id = 1; id <= payout.payoutCount(); ++id) {
            IVictimPayout.Payout memory p = payout.getPayout(id);
            reserved += p.funded - p.claimed;
        }
        assertGe(token.balanceOf(address(payout)), reserved);
        assertEq(payout.unassigned(token), token.balanceOf(address(payout)) - reserved);
    }

    /// No payout pays out more than it was funded, nor is funded above what it owes.
    function invariant_claimedLeFundedLeOwed() public view {
        for (uint256 id = 1; id <= payout.payoutCount(); ++id) {
            IVictimPayout.Payout memory p = payout.getPayout(id);
            assertLe(p.claimed, p.funded);
            assertLe(p.funded, p.totalOwed);
        }
    }
}
