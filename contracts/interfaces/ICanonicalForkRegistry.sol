// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "./IBackingEigen.sol";
import {IForkChallengeManager} from "./IForkChallengeManager.sol";
import {IForkDistributor} from "./IForkDistributor.sol";

/// @title ICanonicalForkRegistryTypes
interface ICanonicalForkRegistryTypes {
    /// @notice A bEIGEN fork. Fork 0 is the genesis token (no parent, no challenge).
    struct Fork {
        uint256 challengeId;
        IBackingEigen parent;
        IBackingEigen token;
        IForkDistributor distributor;
        uint48 createdAt;
    }
}

/// @title ICanonicalForkRegistryErrors
interface ICanonicalForkRegistryErrors {
    /// @notice Thrown when bind() is called twice or by someone other than the deployer.
    error AlreadyBound();
    /// @notice Thrown when a component address is zero.
    error ZeroAddress();
    /// @notice Thrown when someone other than the fork factory registers a fork.
    error OnlyFactory(address caller);
    /// @notice Thrown when `forkId` does not exist.
    error ForkNotFound(uint256 forkId);
    /// @notice Thrown when fork `forkId`'s parent is not the canonical token (forks follow one step at a time).
    error ParentNotCanonical(uint256 forkId, address parent, address canonical);
    /// @notice Thrown when `app` has already committed to follow the canonical fork.
    error AlreadyCommitted(address app);
}

/// @title ICanonicalForkRegistryEvents
interface ICanonicalForkRegistryEvents {
    /// @notice The registry was wired to its challenge manager and fork factory.
    event Bound(address challengeManager, address factory);
    /// @notice A fork was recorded.
    event ForkRegistered(
        uint256 indexed forkId,
        uint256 indexed challengeId,
        address parent,
        address token,
        address distributor
    );
    /// @notice Governance made fork `forkId` canonical.
    event CanonicalForkSet(uint256 indexed forkId, uint256 indexed challengeId, address token);
    /// @notice Governance rejected challenge `challengeId`; the canonical token is unchanged.
    event ChallengeRejected(uint256 indexed challengeId);
    /// @notice `app` (an AVS or an app) pre-committed to follow whichever fork is canonical.
    event FollowCommitted(address indexed app, uint256 canonicalForkIdAtCommit);
}

/// @title ICanonicalForkRegistry
/// @notice Records every bEIGEN fork and which one is canonical. The canonical fork is chosen by governance
/// (social consensus), executed through a timelock (the owner). EIGEN's backing follows it; AVSs and apps
/// pre-commit to follow it and read it here.
interface ICanonicalForkRegistry is
    ICanonicalForkRegistryTypes,
    ICanonicalForkRegistryErrors,
    ICanonicalForkRegistryEvents
{
    /// @notice Wires the challenge manager and the fork factory. Only the deployer, once.
    function bind(IForkChallengeManager challengeManager, address factory) external;

    /// @notice Records a fork. Only the fork factory.
    function registerFork(
        uint256 challengeId,
        IBackingEigen parent,
        IBackingEigen token,
        IForkDistributor distributor
    ) external returns (uint256 forkId);

    /// @notice Makes fork `forkId` canonical and resolves its challenge as accepted. Only the owner (the
    /// governance timelock), only while the challenge is open, only a child of the canonical token.
    function setCanonical(uint256 forkId) external;

    /// @notice Resolves challenge `challengeId` as rejected: the canonical token stays. Only the owner.
    function rejectChallenge(uint256 challengeId) external;

    /// @notice The caller (an AVS or app) commits, irrevocably and publicly, to follow the canonical fork.
    function commitToFollow() external;

    /// @notice Whether `app` committed to follow the canonical fork.
    function isCommitted(address app) external view returns (bool);

    /// @notice The canonical bEIGEN.
    function canonicalToken() external view returns (IBackingEigen);

    /// @notice The id of the canonical fork (0 = genesis).
    function canonicalForkId() external view returns (uint256);

    /// @notice Number of forks that have been canonical, genesis included (the canonical history's length).
    function canonicalCount() external view returns (uint256);

    /// @notice The `index`-th canonical fork id in order (index 0 = genesis); EIGEN follows this history.
    function canonicalForkAt(uint256 index) external view returns (uint256 forkId);

    /// @notice Fork `forkId` (reverts ForkNotFound).
    function getFork(uint256 forkId) external view returns (Fork memory);

    /// @notice Number of forks recorded, genesis included.
    function forkCount() external view returns (uint256);

    /// @notice The challenge manager.
    function challengeManager() external view returns (IForkChallengeManager);

    /// @notice The fork factory.
    function factory() external view returns (address);
}
