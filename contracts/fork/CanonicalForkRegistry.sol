// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {ICanonicalForkRegistry} from "../interfaces/ICanonicalForkRegistry.sol";
import {IForkChallengeManager} from "../interfaces/IForkChallengeManager.sol";
import {IForkDistributor} from "../interfaces/IForkDistributor.sol";

/// @title CanonicalForkRegistry
/// @notice Records every bEIGEN fork and which one is canonical. The owner is the governance timelock
/// (OpenZeppelin TimelockController): social consensus on the canonical fork is executed only after the
/// timelock's delay, so anyone who disagrees sees it coming. EIGEN's backing follows the canonical history;
/// AVSs and apps pre-commit here to follow it.
contract CanonicalForkRegistry is Ownable, ICanonicalForkRegistry {
    address private immutable _deployer;

    /// @inheritdoc ICanonicalForkRegistry
    IForkChallengeManager public challengeManager;
    /// @inheritdoc ICanonicalForkRegistry
    address public factory;
    /// @inheritdoc ICanonicalForkRegistry
    uint256 public canonicalForkId;
    /// @inheritdoc ICanonicalForkRegistry
    mapping(address app => bool) public isCommitted;

    Fork[] private _forks;
    uint256[] private _canonicalHistory;

    /// @param genesis The genesis bEIGEN (fork 0, canonical at first).
    /// @param owner_ Governance: the timelock that executes canonical-fork decisions.
    constructor(IBackingEigen genesis, address owner_) Ownable(owner_) {
        if (address(genesis) == address(0)) revert ZeroAddress();
        _deployer = msg.sender;
        _forks.push(
            Fork({
                challengeId: 0,
                parent: IBackingEigen(address(0)),
                token: genesis,
                distributor: IForkDistributor(address(0)),
                // records when a fork entry was created; no decision depends on it
                // solhint-disable-next-line not-rely-on-time
                createdAt: uint48(block.timestamp)
            })
        );
        _canonicalHistory.push(0);
        emit ForkRegistered(0, 0, address(0), address(genesis), address(0));
    }

    /// @inheritdoc ICanonicalForkRegistry
    function bind(IForkChallengeManager challengeManager_, address factory_) external {
        if (msg.sender != _deployer || address(challengeManager) != address(0)) revert AlreadyBound();
        if (address(challengeManager_) == address(0) || factory_ == address(0)) revert ZeroAddress();
        challengeManager = challengeManager_;
        factory = factory_;
        emit Bound(address(challengeManager_), factory_);
    }

    /// @inheritdoc ICanonicalForkRegistry
    function registerFork(
        uint256 challengeId,
        IBackingEigen parent,
        IBackingEigen token,
        IForkDistributor distributor
    ) external returns (uint256 forkId) {
        if (msg.sender != factory) revert OnlyFactory(msg.sender);
        forkId = _forks.length;
        _forks.push(
            Fork({
                challengeId: challengeId,
                parent: parent,
                token: token,
                distributor: distributor,
                // records when a fork entry was created; no decision depends on it
                // solhint-disable-next-line not-rely-on-time
                createdAt: uint48(block.timestamp)
            })
        );
        emit ForkRegistered(forkId, challengeId, address(parent), address(token), address(distributor));
    }

    /// @inheritdoc ICanonicalForkRegistry
    function setCanonical(uint256 forkId) external onlyOwner {
        Fork memory fork = getFork(forkId);
        IBackingEigen canonical = canonicalToken();
        if (fork.parent != canonical) revert ParentNotCanonical(forkId, address(fork.parent), address(canonical));
        canonicalForkId = forkId;
        _canonicalHistory.push(forkId);
        emit CanonicalForkSet(forkId, fork.challengeId, address(fork.token));
        challengeManager.resolve(fork.challengeId, true);
    }

    /// @inheritdoc ICanonicalForkRegistry
    function rejectChallenge(uint256 challengeId) external onlyOwner {
        emit ChallengeRejected(challengeId);
        challengeManager.resolve(challengeId, false);
    }

    /// @inheritdoc ICanonicalForkRegistry
    function commitToFollow() external {
        if (isCommitted[msg.sender]) revert AlreadyCommitted(msg.sender);
        isCommitted[msg.sender] = true;
        emit FollowCommitted(msg.sender, canonicalForkId);
    }

    /// @inheritdoc ICanonicalForkRegistry
    function canonicalToken() public view returns (IBackingEigen) {
        return _forks[canonicalForkId].token;
    }

    /// @inheritdoc ICanonicalForkRegistry
    function canonicalCount() external view returns (uint256) {
        return _canonicalHistory.length;
    }

    /// @inheritdoc ICanonicalForkRegistry
    function canonicalForkAt(uint256 index) external view returns (uint256) {
        return _canonicalHistory[index];
    }

    /// @inheritdoc ICanonicalForkRegistry
    function getFork(uint256 forkId) public view returns (Fork memory) {
        if (forkId >= _forks.length) revert ForkNotFound(forkId);
        return _forks[forkId];
    }

    /// @inheritdoc ICanonicalForkRegistry
    function forkCount() external view returns (uint256) {
        return _forks.length;
    }
}
