// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {FeeJar} from "../../../contracts/fees/FeeJar.sol";
import {ProtocolFee} from "../../../contracts/fees/ProtocolFee.sol";
import {IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IProtocolFee} from "../../../contracts/interfaces/IProtocolFee.sol";
import {IRewardsCoordinatorTypes} from "../../../contracts/interfaces/IRewardsCoordinator.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {RewardsCoordinator} from "../../../contracts/rewards/RewardsCoordinator.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev Drives random rewards flows: two AVSs (one opted in to the protocol fee, one funding through an
/// appointed submitter) fund stake-weighted and operator-directed submissions in two tokens; the updater
/// posts real Merkle roots (1-4 leaves) over random, ever-growing cumulative earnings of three earners;
/// time moves; roots are disabled; earners and their appointed claimers claim valid, stale, over-stated
/// and unauthorised leaves. Every call's outcome (success or revert, and the amount paid) is predicted from
/// the handler's own model of the contract and any disagreement raises a ghost flag.
contract RewardsHandler is Test, IRewardsCoordinatorTypes {
    uint32 internal constant DAY = 1 days;
    uint256 internal constant FEE_BIPS = 2000;

    struct GhostRoot {
        bytes32 root;
        uint32 activatedAt;
        bool disabled;
    }

    struct GhostLeaf {
        address earner;
        IERC20 token;
        uint256 cumulative;
    }

    RewardsCoordinator public rc;
    address public jar;
    address public updater;
    address public feeAvs; // opted in to the protocol fee
    address public plainAvs; // not opted in; funds half the time through `submitter`
    address public submitter;
    IStrategy public strategy;
    uint256 public currentTime;

    address[] public earners;
    address[] public claimers; // candidate appointed claimers (index 0 = none)
    VcloudTestToken[] public tokens;

    GhostRoot[] internal _roots;
    mapping(uint256 rootIndex => GhostLeaf[]) internal _leaves;
    mapping(address earner => mapping(IERC20 token => uint256)) public entitlement;
    mapping(address earner => mapping(IERC20 token => uint256)) public ghostClaimed;
    mapping(address earner => address) public ghostClaimer;
    mapping(IERC20 token => uint256) public ghostDeposited; // gross, before the fee
    mapping(IERC20 token => uint256) public ghostFees;
    mapping(IERC20 token => uint256) public ghostTotalClaimed;

    // Ghost flags: set when the contract disagrees with the model inside an action.
    bool public claimOutcomeMismatch;
    bool public claimedWhileNotClaimable;
    bool public payoutMismatch;
    bool public disableOutcomeMismatch;
    bool public rootPostOutcomeMismatch;
    bool public fundingMismatch;
    bool public cumulativeClaimedDecreased;

    uint256 public successfulClaims;
    uint256 public revertedClaims;
    uint256 public disabledRoots;

    constructor(
        RewardsCoordinator rc_,
        address jar_,
        address updater_,
        address feeAvs_,
        address plainAvs_,
        address submitter_,
        IStrategy strategy_,
        VcloudTestToken[] memory tokens_
    ) {
        (rc, jar, updater, feeAvs, plainAvs, submitter, strategy) = (
            rc_,
            jar_,
            updater_,
            feeAvs_,
            plainAvs_,
            submitter_,
            strategy_
        );
        tokens = tokens_;
        currentTime = block.timestamp;
        for (uint256 i = 0; i < 3; ++i) earners.push(makeAddr(string.concat("earner", vm.toString(i))));
        claimers.push(address(0));
        claimers.push(makeAddr("claimerA"));
        claimers.push(makeAddr("claimerB"));
    }

    modifier atCurrentTime() {
        // Block-environment changes are not guaranteed to persist between fuzzed calls: re-apply them.
        vm.warp(currentTime);
        _;
        _checkCumulativeClaimedMonotone();
    }

    // ------------------------------------------------------------------ actions

    function fundStakeWeighted(uint256 avsSeed, uint256 tokenSeed, uint256 amount) external atCurrentTime {
        (address caller, address avs) = _funder(avsSeed);
        IERC20 token = _token(tokenSeed);
        amount = _bound(amount, 1, 100e18);
        RewardsSubmission[] memory list = new RewardsSubmission[](1);
        list[0] = RewardsSubmission({
            strategiesAndMultipliers: _sm(),
            token: token,
            amount: amount,
            startTimestamp: _alignedStart(),
            duration: 7 * DAY
        });
        _mintAndApprove(caller, token, amount);
        uint256 expectedFee = caller == feeAvs ? (amount * FEE_BIPS) / 10_000 : 0;
        uint256 fundedBefore = rc.totalFunded(token);
        vm.prank(caller);
        try rc.createOperatorSetRewardsSubmission(OperatorSet(avs, 1), list) {
            _recordFunding(token, amount, expectedFee, fundedBefore);
        } catch {
            fundingMismatch = true; // a well-formed submission from an authorised funder must succeed
        }
    }

    function fundOperatorDirected(
        uint256 avsSeed,
        uint256 tokenSeed,
        uint256 amountA,
        uint256 amountB
    ) external atCurrentTime {
        (address caller, address avs) = _funder(avsSeed);
        IERC20 token = _token(tokenSeed);
        amountA = _bound(amountA, 1, 50e18);
        amountB = _bound(amountB, 1, 50e18);
        OperatorReward[] memory rewards = new OperatorReward[](2);
        rewards[0] = OperatorReward({operator: address(0x1001), amount: amountA});
        rewards[1] = OperatorReward({operator: address(0x1002), amount: amountB});
        OperatorDirectedRewardsSubmission[] memory list = new OperatorDirectedRewardsSubmission[](1);
        list[0] = OperatorDirectedRewardsSubmission({
            strategiesAndMultipliers: _sm(),
            token: token,
            operatorRewards: rewards,
            startTimestamp: _alignedStart(),
            duration: 7 * DAY,
            description: "invariant"
        });
        _mintAndApprove(caller, token, amountA + amountB);
        // The fee is taken per operator reward, each rounded down.
        uint256 expectedFee = caller == feeAvs ? (amountA * FEE_BIPS) / 10_000 + (amountB * FEE_BIPS) / 10_000 : 0;
        uint256 fundedBefore = rc.totalFunded(token);
        vm.prank(caller);
        try rc.createOperatorDirectedOperatorSetRewardsSubmission(OperatorSet(avs, 1), list) {
            _recordFunding(token, amountA + amountB, expectedFee, fundedBefore);
        } catch {
            fundingMismatch = true;
        }
    }

    /// @dev Posts a root over `leafCount` distinct (earner, token) pairs, each with its cumulative earnings
    /// raised by a random amount (possibly 0, possibly past what was funded: the contract must still refuse
    /// to pay more than it holds).
    function postRoot(uint256 leafCount, uint256 pairOffset, uint256 raiseSeed) external atCurrentTime {
        leafCount = _bound(leafCount, 1, 4);
        uint32 currentEnd = rc.currRewardsCalculationEndTimestamp();
        if (currentTime <= uint256(currentEnd) + 1) {
            currentTime = uint256(currentEnd) + 2;
            vm.warp(currentTime);
        }
        uint32 end = uint32(currentTime - 1);

        uint256 index = _roots.length;
        bytes32[] memory hashes = new bytes32[](leafCount);
        for (uint256 i = 0; i < leafCount; ++i) {
            uint256 pair = (pairOffset + i) % (earners.length * tokens.length);
            address earner = earners[pair % earners.length];
            IERC20 token = IERC20(address(tokens[pair / earners.length]));
            uint256 raise = uint256(keccak256(abi.encode(raiseSeed, i))) % 40e18;
            if (raise % 4 == 0) raise = 0; // a quarter of the leaves do not grow: later claims on them are stale
            entitlement[earner][token] += raise;
            _leaves[index].push(GhostLeaf(earner, token, entitlement[earner][token]));
            hashes[i] = rc.calculateLeaf(earner, token, entitlement[earner][token]);
        }
        bytes32 root = _rootOf(hashes);

        vm.prank(makeAddr("notTheUpdater"));
        try rc.submitRoot(root, end) {
            rootPostOutcomeMismatch = true;
        } catch {}
        vm.prank(updater);
        try rc.submitRoot(root, end) {
            _roots.push(GhostRoot(root, uint32(currentTime) + rc.ACTIVATION_DELAY(), false));
        } catch {
            rootPostOutcomeMismatch = true;
        }
        // An end at or before the current one is refused.
        vm.prank(updater);
        try rc.submitRoot(root, end) {
            rootPostOutcomeMismatch = true;
        } catch {}
    }

    function disableRoot(uint256 rootSeed) external atCurrentTime {
        if (_roots.length == 0) return;
        uint256 index = rootSeed % _roots.length;
        GhostRoot storage ghost = _roots[index];
        bool expectOk = !ghost.disabled && currentTime < ghost.activatedAt;
        vm.prank(updater);
        try rc.disableRoot(uint32(index)) {
            if (!expectOk) disableOutcomeMismatch = true;
            ghost.disabled = true;
            ++disabledRoots;
        } catch {
            if (expectOk) disableOutcomeMismatch = true;
        }
    }

    /// @dev mode 0: the earner claims its leaf; 1: the appointed claimer (or the earner when none) claims;
    /// 2: the leaf's earnings are over-stated by `extra` (the proof no longer matches); 3: a stranger claims.
    function claim(uint256 rootSeed, uint256 leafSeed, uint256 mode, uint256 extra) external atCurrentTime {
        if (_roots.length == 0) return;
        uint256 index = rootSeed % _roots.length;
        GhostLeaf[] storage leaves = _leaves[index];
        uint256 leafIndex = leafSeed % leaves.length;
        GhostLeaf memory leaf = leaves[leafIndex];
        mode = mode % 4;

        RewardsMerkleClaim memory c = RewardsMerkleClaim({
            rootIndex: uint32(index),
            earner: leaf.earner,
            token: leaf.token,
            cumulativeEarnings: leaf.cumulative,
            proof: _proofOf(index, leafIndex)
        });
        address caller = leaf.earner;
        if (mode == 1 && ghostClaimer[leaf.earner] != address(0)) caller = ghostClaimer[leaf.earner];
        if (mode == 2) c.cumulativeEarnings += _bound(extra, 1, 10e18);
        if (mode == 3) caller = makeAddr("stranger");

        GhostRoot memory ghost = _roots[index];
        bool claimable = !ghost.disabled && currentTime >= ghost.activatedAt;
        uint256 already = ghostClaimed[leaf.earner][leaf.token];
        uint256 available = ghostDeposited[leaf.token] - ghostFees[leaf.token] - ghostTotalClaimed[leaf.token];
        bool expectOk = claimable && mode < 2 && leaf.cumulative > already && leaf.cumulative - already <= available;

        address recipient = makeAddr("recipient");
        uint256 balanceBefore = leaf.token.balanceOf(recipient);
        vm.prank(caller);
        try rc.processClaim(c, recipient) {
            ++successfulClaims;
            if (!expectOk) claimOutcomeMismatch = true;
            if (!claimable) claimedWhileNotClaimable = true;
            uint256 paid = leaf.token.balanceOf(recipient) - balanceBefore;
            if (paid != c.cumulativeEarnings - already) payoutMismatch = true;
            ghostClaimed[leaf.earner][leaf.token] = c.cumulativeEarnings;
            ghostTotalClaimed[leaf.token] += paid;
        } catch {
            ++revertedClaims;
            if (expectOk) claimOutcomeMismatch = true;
        }
    }

    function setClaimer(uint256 earnerSeed, uint256 claimerSeed) external atCurrentTime {
        address earner = earners[earnerSeed % earners.length];
        address claimer = claimers[claimerSeed % claimers.length];
        vm.prank(earner);
        rc.setClaimerFor(claimer);
        ghostClaimer[earner] = claimer;
    }

    function warp(uint256 seconds_) external atCurrentTime {
        currentTime += _bound(seconds_, 1, 2 hours);
        vm.warp(currentTime);
    }

    // ------------------------------------------------------------------ views for the invariants

    function earnerCount() external view returns (uint256) {
        return earners.length;
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    function rootCount() external view returns (uint256) {
        return _roots.length;
    }

    function ghostRoot(uint256 index) external view returns (GhostRoot memory) {
        return _roots[index];
    }

    function leavesOf(uint256 index) external view returns (GhostLeaf[] memory) {
        return _leaves[index];
    }

    // ------------------------------------------------------------------ internals

    function _funder(uint256 seed) internal view returns (address caller, address avs) {
        if (seed % 3 == 0) return (feeAvs, feeAvs);
        if (seed % 3 == 1) return (plainAvs, plainAvs);
        return (submitter, plainAvs);
    }

    function _token(uint256 seed) internal view returns (IERC20) {
        return IERC20(address(tokens[seed % tokens.length]));
    }

    function _sm() internal view returns (StrategyAndMultiplier[] memory list) {
        list = new StrategyAndMultiplier[](1);
        list[0] = StrategyAndMultiplier({strategy: strategy, multiplier: 1e18});
    }

    function _alignedStart() internal view returns (uint32) {
        return uint32(currentTime - (currentTime % DAY));
    }

    function _mintAndApprove(address who, IERC20 token, uint256 amount) internal {
        VcloudTestToken(address(token)).mint(who, amount);
        vm.prank(who);
        token.approve(address(rc), amount);
    }

    function _recordFunding(IERC20 token, uint256 gross, uint256 expectedFee, uint256 fundedBefore) internal {
        ghostDeposited[token] += gross;
        ghostFees[token] += expectedFee;
        if (rc.totalFunded(token) - fundedBefore != gross - expectedFee) fundingMismatch = true;
    }

    function _checkCumulativeClaimedMonotone() internal {
        for (uint256 i = 0; i < earners.length; ++i) {
            for (uint256 j = 0; j < tokens.length; ++j) {
                IERC20 token = IERC20(address(tokens[j]));
                if (rc.cumulativeClaimed(earners[i], token) < ghostClaimed[earners[i]][token]) {
                    cumulativeClaimedDecreased = true;
                }
            }
        }
    }

    /// @dev Root of the fixed tree shapes used here (OpenZeppelin's commutative pair hashing):
    /// 1: h0; 2: (h0 h1); 3: ((h0 h1) h2); 4: ((h0 h1) (h2 h3)).
    function _rootOf(bytes32[] memory h) internal pure returns (bytes32) {
        if (h.length == 1) return h[0];
        bytes32 left = Hashes.commutativeKeccak256(h[0], h[1]);
        if (h.length == 2) return left;
        if (h.length == 3) return Hashes.commutativeKeccak256(left, h[2]);
        return Hashes.commutativeKeccak256(left, Hashes.commutativeKeccak256(h[2], h[3]));
    }

    function _proofOf(uint256 index, uint256 leafIndex) internal view returns (bytes32[] memory proof) {
        GhostLeaf[] storage leaves = _leaves[index];
        uint256 n = leaves.length;
        bytes32[] memory h = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i)
            h[i] = rc.calculateLeaf(leaves[i].earner, leaves[i].token, leaves[i].cumulative);
        if (n == 1) return new bytes32[](0);
        if (n == 2) {
            proof = new bytes32[](1);
            proof[0] = h[1 - leafIndex];
            return proof;
        }
        bytes32 h01 = Hashes.commutativeKeccak256(h[0], h[1]);
        if (n == 3) {
            if (leafIndex == 2) {
                proof = new bytes32[](1);
                proof[0] = h01;
                return proof;
            }
            proof = new bytes32[](2);
            proof[0] = h[1 - leafIndex];
            proof[1] = h[2];
            return proof;
        }
        bytes32 h23 = Hashes.commutativeKeccak256(h[2], h[3]);
        proof = new bytes32[](2);
        if (leafIndex < 2) {
            proof[0] = h[1 - leafIndex];
            proof[1] = h23;
        } else {
            proof[0] = h[5 - leafIndex]; // 2 -> 3, 3 -> 2
            proof[1] = h01;
        }
    }
}

contract RewardsInvariantsTest is RestakingTestBase {
    uint32 internal constant DAY = 1 days;

    RewardsCoordinator internal rc;
    FeeJar internal jar;
    RewardsHandler internal handler;
    address internal updater = makeAddr("updater");
    address internal plainAvs = makeAddr("plainAvs");
    address internal submitter = makeAddr("submitter");

    function setUp() public override {
        super.setUp();
        vm.warp(100 * DAY);
        _createSet(1, _strategies(strategy), false);
        _createSetFor(plainAvs, 1);
        jar = new FeeJar(governance, address(0));
        ProtocolFee protocolFee = new ProtocolFee(governance, address(jar), 2000);
        rc = new RewardsCoordinator(
            governance,
            updater,
            IRewardsCoordinatorTypes.RewardsCoordinatorParams({
                allocationManager: am,
                protocolFee: IProtocolFee(address(protocolFee)),
                calculationIntervalSeconds: DAY,
                maxRewardsDuration: 70 * DAY,
                maxRetroactiveLength: 30 * DAY,
                maxFutureLength: 30 * DAY,
                activationDelay: 1 hours,
                operatorSplitDelay: 7 * DAY
            })
        );
        vm.prank(avs);
        rc.setOptInForProtocolFee(true);
        vm.prank(plainAvs);
        rc.setRewardsSubmitter(submitter, true);

        VcloudTestToken[] memory rewardTokens = new VcloudTestToken[](2);
        rewardTokens[0] = new VcloudTestToken("Reward", "RWD", address(this));
        rewardTokens[1] = new VcloudTestToken("Other", "OTH", address(this));
        handler = new RewardsHandler(rc, address(jar), updater, avs, plainAvs, submitter, strategy, rewardTokens);
        for (uint256 i = 0; i < rewardTokens.length; ++i) rewardTokens[i].transferOwnership(address(handler));
        targetContract(address(handler));
    }

    function _createSetFor(address setAvs, uint32 id) internal {
        vm.startPrank(setAvs);
        am.updateAVSMetadataURI(setAvs, "ipfs://avs");
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0] = IAllocationManagerTypes.CreateSetParamsV2({
            operatorSetId: id,
            strategies: _strategies(strategy),
            slasher: slasher
        });
        am.createOperatorSets(setAvs, params);
        vm.stopPrank();
    }

    function _token(uint256 j) internal view returns (IERC20) {
        return IERC20(address(handler.tokens(j)));
    }

    /// @dev The handler really reaches successful claims, reverted claims and disabled roots.
    function test_handlerWalkFundsPostsDisablesAndClaims() public {
        handler.fundStakeWeighted(0, 0, 100e18); // fee AVS, token 0: 80e18 funded
        handler.fundOperatorDirected(2, 1, 10e18, 10e18); // submitter for the plain AVS, token 1: 20e18
        handler.postRoot(4, 0, 1);
        handler.postRoot(2, 3, 2); // posted within the first root's activation delay
        handler.disableRoot(1);
        handler.warp(2 hours);
        handler.setClaimer(0, 1);
        for (uint256 leaf = 0; leaf < 4; ++leaf) handler.claim(0, leaf, 0, 0);
        handler.claim(0, 0, 0, 0); // replay: stale
        handler.claim(1, 0, 0, 0); // disabled root
        handler.claim(0, 1, 2, 5); // over-stated
        handler.claim(0, 1, 3, 0); // stranger
        assertGt(handler.successfulClaims(), 0);
        assertGe(handler.revertedClaims(), 4);
        assertEq(handler.disabledRoots(), 1);
        assertEq(IERC20(address(handler.tokens(0))).balanceOf(address(jar)), 20e18);
        _assertNoFlags();
    }

    function _assertNoFlags() internal view {
        assertFalse(handler.claimOutcomeMismatch(), "claim outcome");
        assertFalse(handler.claimedWhileNotClaimable(), "claimable");
        assertFalse(handler.payoutMismatch(), "payout");
        assertFalse(handler.disableOutcomeMismatch(), "disable");
        assertFalse(handler.rootPostOutcomeMismatch(), "post");
        assertFalse(handler.fundingMismatch(), "funding");
        assertFalse(handler.cumulativeClaimedDecreased(), "monotone");
    }

    /// @dev Per token: coordinator balance == funded - claimed, claimed <= funded, and funded + the jar's
    /// fees == everything the AVSs paid in.
    function invariant_rewardsBalanceIsFundedMinusClaimed() public view {
        for (uint256 j = 0; j < handler.tokenCount(); ++j) {
            IERC20 t = _token(j);
            assertLe(rc.totalClaimed(t), rc.totalFunded(t));
            assertEq(t.balanceOf(address(rc)), rc.totalFunded(t) - rc.totalClaimed(t));
            assertEq(rc.totalFunded(t) + t.balanceOf(address(jar)), handler.ghostDeposited(t));
            assertEq(t.balanceOf(address(jar)), handler.ghostFees(t));
            assertEq(rc.totalClaimed(t), handler.ghostTotalClaimed(t));
        }
    }

    /// @dev Per token, totalClaimed == the sum of every earner's cumulativeClaimed.
    function invariant_totalClaimedIsTheSumOfEarnersClaims() public view {
        for (uint256 j = 0; j < handler.tokenCount(); ++j) {
            uint256 sum;
            for (uint256 i = 0; i < handler.earnerCount(); ++i)
                sum += rc.cumulativeClaimed(handler.earners(i), _token(j));
            assertEq(rc.totalClaimed(_token(j)), sum);
        }
    }

    /// @dev cumulativeClaimed never decreases, and never exceeds the largest cumulative amount for that
    /// (earner, token) in any root that is activated and not disabled.
    function invariant_cumulativeClaimedMonotoneAndBoundedByClaimableRoots() public view {
        assertFalse(handler.cumulativeClaimedDecreased());
        for (uint256 i = 0; i < handler.earnerCount(); ++i) {
            for (uint256 j = 0; j < handler.tokenCount(); ++j) {
                address earner = handler.earners(i);
                uint256 best;
                for (uint256 r = 0; r < handler.rootCount(); ++r) {
                    RewardsHandler.GhostRoot memory g = handler.ghostRoot(r);
                    if (g.disabled || handler.currentTime() < g.activatedAt) continue;
                    RewardsHandler.GhostLeaf[] memory leaves = handler.leavesOf(r);
                    for (uint256 k = 0; k < leaves.length; ++k) {
                        if (leaves[k].earner == earner && leaves[k].token == _token(j) && leaves[k].cumulative > best) {
                            best = leaves[k].cumulative;
                        }
                    }
                }
                assertLe(rc.cumulativeClaimed(earner, _token(j)), best);
                assertEq(rc.cumulativeClaimed(earner, _token(j)), handler.ghostClaimed(earner, _token(j)));
            }
        }
    }

    /// @dev No claim ever succeeds on a root before its activation or after it was disabled; every claim
    /// reverts exactly when the model says it must (stale, over-stated, unauthorised, unfunded) and pays
    /// exactly the difference to the recipient.
    function invariant_claimsOnlyOnActiveRootsAndExactlyAsModelled() public view {
        assertFalse(handler.claimedWhileNotClaimable(), "claimed on a root not claimable");
        assertFalse(handler.claimOutcomeMismatch(), "claim outcome");
        assertFalse(handler.payoutMismatch(), "payout");
    }

    /// @dev Roots only grow: the contract holds exactly the roots posted, in order, with activation time =
    /// post time + delay, disabled only when disabled before activation; funding and root posting behave as
    /// modelled.
    function invariant_rootsAppendOnlyAndMatchThePostedRecord() public view {
        assertEq(rc.getDistributionRootsLength(), handler.rootCount());
        for (uint256 r = 0; r < handler.rootCount(); ++r) {
            RewardsHandler.GhostRoot memory g = handler.ghostRoot(r);
            IRewardsCoordinatorTypes.DistributionRoot memory onChain = rc.getDistributionRootAtIndex(r);
            assertEq(onChain.root, g.root);
            assertEq(onChain.activatedAt, g.activatedAt);
            assertEq(onChain.disabled, g.disabled);
        }
        assertFalse(handler.disableOutcomeMismatch(), "disable");
        assertFalse(handler.rootPostOutcomeMismatch(), "post");
        assertFalse(handler.fundingMismatch(), "funding");
    }
}
