// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {IForkDistributor} from "../interfaces/IForkDistributor.sol";

/// @title ForkDistributor
/// @notice The Fork Distributor of one bEIGEN fork: the only minter of the fork token bEIGEN'. It pays
/// - stakers their restaked bEIGEN at the timepoint, proven against the snapshot's Merkle root, except stake
///   delegated to accused operators (excluded leaves are never claimable) — intersubjective slashing;
/// - holders their bEIGEN balance at the timepoint (on-chain checkpoints), if they lock the same amount of
///   parent tokens for lockDuration (T_lock) within the redemption window (T_redeem < T_lock);
/// - EIGEN its whole balance at the timepoint, without lock or deadline (solid representation);
/// - the challenger its burned commitment plus the reward.
/// Every path is capped, so totalClaimed() + unclaimed() + excludedSupply() == supplyAtTimepoint always.
contract ForkDistributor is IForkDistributor {
    using SafeERC20 for IERC20;

    /// @notice The factory that created this distributor.
    address public immutable factory;

    ForkConfig private _config;
    /// @inheritdoc IForkDistributor
    IBackingEigen public forkToken;

    /// @inheritdoc IForkDistributor
    mapping(address account => uint256) public heldClaimed;
    /// @inheritdoc IForkDistributor
    mapping(address staker => bool) public stakeClaimed;
    /// @notice Sum of stake claims so far (<= stakedClaimable).
    uint256 public stakeClaimedTotal;
    /// @inheritdoc IForkDistributor
    uint256 public totalClaimed;
    /// @notice Whether the challenger redeemed its commitment.
    bool public commitmentRedeemed;

    /// @inheritdoc IForkDistributor
    uint256 public lockCount;
    mapping(uint256 lockId => Lock) private _locks;

    /// @param config_ The fork's parameters, checked by the factory.
    constructor(ForkConfig memory config_) {
        factory = msg.sender;
        _config = config_;
    }

    /// @inheritdoc IForkDistributor
    function setForkToken(IBackingEigen token) external {
        if (msg.sender != factory) revert OnlyFactory(msg.sender);
        if (address(forkToken) != address(0)) revert ForkTokenAlreadySet();
        forkToken = token;
        emit ForkTokenSet(address(token));
    }

    /// @inheritdoc IForkDistributor
    function claimStaked(address staker, uint256 amount, bytes32[] calldata proof) external {
        if (amount == 0) revert ZeroAmount();
        if (stakeClaimed[staker]) revert AlreadyClaimed(staker);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(staker, amount, false))));
        if (!MerkleProof.verifyCalldata(proof, _config.stakeRoot, leaf)) revert InvalidStakeProof(staker, amount);
        uint256 newTotal = stakeClaimedTotal + amount;
        if (newTotal > _config.stakedClaimable) revert StakeClaimsExceedSnapshot(newTotal, _config.stakedClaimable);
        stakeClaimed[staker] = true;
        stakeClaimedTotal = newTotal;
        totalClaimed += amount;
        emit StakeClaimed(staker, amount);
        forkToken.mint(staker, amount);
    }

    /// @inheritdoc IForkDistributor
    function lockAndClaim(uint256 amount) external returns (uint256 lockId) {
        // redeem window and lock duration last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp >= _config.redeemEnd) revert RedemptionWindowClosed(block.timestamp, _config.redeemEnd);
        if (msg.sender == _config.wrapper || msg.sender == _config.stakePool) revert NotEligible(msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 available = heldAllocationOf(msg.sender) - heldClaimed[msg.sender];
        if (amount > available) revert AllocationExceeded(msg.sender, amount, available);

        heldClaimed[msg.sender] += amount;
        totalClaimed += amount;
        lockId = ++lockCount;
        // redeem window and lock duration last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        uint48 unlockAt = uint48(block.timestamp) + _config.lockDuration;
        _locks[lockId] = Lock({owner: msg.sender, unlockAt: unlockAt, amount: amount});
        emit LockedAndClaimed(msg.sender, lockId, amount, unlockAt);

        IERC20(address(_config.parent)).safeTransferFrom(msg.sender, address(this), amount);
        forkToken.mint(msg.sender, amount);
    }

    /// @inheritdoc IForkDistributor
    function unlock(uint256 lockId) external {
        Lock memory lock = _locks[lockId];
        if (lock.owner != msg.sender || lock.amount == 0) revert NotLockOwner(lockId, msg.sender);
        // redeem window and lock duration last days; seconds of proposer leeway cannot matter
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < lock.unlockAt) revert LockNotReleased(lockId, lock.unlockAt);
        delete _locks[lockId];
        emit Unlocked(lockId, msg.sender, lock.amount);
        IERC20(address(_config.parent)).safeTransfer(msg.sender, lock.amount);
    }

    /// @inheritdoc IForkDistributor
    function claimWrapperBacking() external returns (uint256 amount) {
        address wrapper = _config.wrapper;
        if (msg.sender != wrapper) revert OnlyWrapper(msg.sender);
        amount = heldAllocationOf(wrapper) - heldClaimed[wrapper];
        heldClaimed[wrapper] += amount;
        totalClaimed += amount;
        emit WrapperBackingClaimed(wrapper, amount);
        if (amount > 0) forkToken.mint(wrapper, amount);
    }

    /// @inheritdoc IForkDistributor
    function redeemCommitment() external returns (uint256 amount) {
        if (msg.sender != _config.challenger) revert OnlyChallenger(msg.sender);
        if (commitmentRedeemed) revert AlreadyClaimed(msg.sender);
        commitmentRedeemed = true;
        amount = _config.commitment + _config.reward;
        totalClaimed += amount;
        emit CommitmentRedeemed(msg.sender, _config.commitment, _config.reward);
        forkToken.mint(msg.sender, amount);
    }

    /// @inheritdoc IForkDistributor
    function config() external view returns (ForkConfig memory) {
        return _config;
    }

    /// @inheritdoc IForkDistributor
    function heldAllocationOf(address account) public view returns (uint256) {
        if (account == _config.stakePool) return 0;
        return _config.parent.getPastBalance(account, _config.timepoint);
    }

    /// @inheritdoc IForkDistributor
    function getLock(uint256 lockId) external view returns (Lock memory) {
        return _locks[lockId];
    }

    /// @inheritdoc IForkDistributor
    function excludedSupply() public view returns (uint256) {
        return _config.poolBalance - _config.stakedClaimable - _config.reward;
    }

    /// @inheritdoc IForkDistributor
    function unclaimed() external view returns (uint256) {
        return _config.supplyAtTimepoint - excludedSupply() - totalClaimed;
    }
}
