// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IReputationRegistry} from "../interfaces/IReputationRegistry.sol";

/**
 * @title ReputationRegistry
 * @notice ERC-8004 reputation: clients rate agents of one identity registry with signed fixed-point values.
 * @dev Summaries are computed on-chain over a caller-chosen client list (the ERC's Sybil defence); richer
 * aggregation is expected off-chain from the events.
 */
contract ReputationRegistry is IReputationRegistry {
    /// @notice Largest accepted `valueDecimals`.
    uint8 public constant MAX_VALUE_DECIMALS = 18;
    /// @notice Largest accepted `|value|`; 1e38 * 1e18 still fits an int256 sum with room to spare.
    int128 public constant MAX_ABS_VALUE = 1e38;

    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        string tag1;
        string tag2;
    }

    /// @dev Running totals of a summary: the sum at 18 decimals and how often each `valueDecimals` occurs.
    struct Tally {
        int256 sumWad;
        uint64 count;
        uint64[19] decimalsSeen;
    }

    /// @dev Which entries `readAllFeedback` returns.
    struct Filter {
        bytes32 tag1Hash;
        bytes32 tag2Hash;
        bool includeRevoked;
    }

    /// @dev Columns returned by `readAllFeedback`.
    struct FeedbackList {
        address[] clients;
        uint64[] feedbackIndexes;
        int128[] values;
        uint8[] valueDecimals;
        string[] tag1s;
        string[] tag2s;
        bool[] revokedStatuses;
    }

    IIdentityRegistry private immutable _identityRegistry;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64)) private _lastIndex;
    mapping(uint256 agentId => address[]) private _clients;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => address[]))) private _responders;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => mapping(address responder => uint64))))
        private _responseCount;

    constructor(IIdentityRegistry identityRegistry_) {
        if (address(identityRegistry_) == address(0)) revert IdentityRegistryIsZeroAddress();
        _identityRegistry = identityRegistry_;
    }

    /// @inheritdoc IReputationRegistry
    function getIdentityRegistry() external view returns (address identityRegistry) {
        return address(_identityRegistry);
    }

    // ---------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IReputationRegistry
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external {
        if (valueDecimals > MAX_VALUE_DECIMALS) revert ValueDecimalsTooLarge(valueDecimals, MAX_VALUE_DECIMALS);
        if (value > MAX_ABS_VALUE || value < -MAX_ABS_VALUE) revert ValueOutOfRange(value, MAX_ABS_VALUE);
        _requireRegistered(agentId);
        if (_identityRegistry.isOwnerOrOperator(agentId, msg.sender))
            revert SelfFeedbackNotAllowed(agentId, msg.sender);

        uint64 index = _lastIndex[agentId][msg.sender] + 1;
        if (index == 1) _clients[agentId].push(msg.sender);
        _lastIndex[agentId][msg.sender] = index;
        _feedback[agentId][msg.sender][index] = Feedback({
            value: value,
            valueDecimals: valueDecimals,
            isRevoked: false,
            tag1: tag1,
            tag2: tag2
        });
        _emitNewFeedback(agentId, index, endpoint, feedbackURI, feedbackHash);
    }

    /// @inheritdoc IReputationRegistry
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        Feedback storage fb = _existing(agentId, msg.sender, feedbackIndex);
        if (fb.isRevoked) revert FeedbackAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        fb.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @inheritdoc IReputationRegistry
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        _existing(agentId, clientAddress, feedbackIndex);
        if (bytes(responseURI).length == 0) revert EmptyResponseURI();
        mapping(address responder => uint64) storage counts = _responseCount[agentId][clientAddress][feedbackIndex];
        if (counts[msg.sender] == 0) _responders[agentId][clientAddress][feedbackIndex].push(msg.sender);
        ++counts[msg.sender];
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    // ---------------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------------

    /// @inheritdoc IReputationRegistry
    function getSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals) {
        if (clientAddresses.length == 0) revert ClientAddressesRequired();
        return _summarize(_tallyClients(agentId, clientAddresses, _filterHash(tag1), _filterHash(tag2)));
    }

    /// @inheritdoc IReputationRegistry
    function readFeedback(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex
    )
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        Feedback storage fb = _existing(agentId, clientAddress, feedbackIndex);
        return (fb.value, fb.valueDecimals, fb.tag1, fb.tag2, fb.isRevoked);
    }

    /// @inheritdoc IReputationRegistry
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        FeedbackList memory list = _collect(agentId, clientAddresses, tag1, tag2, includeRevoked);
        return (
            list.clients,
            list.feedbackIndexes,
            list.values,
            list.valueDecimals,
            list.tag1s,
            list.tag2s,
            list.revokedStatuses
        );
    }

    /// @inheritdoc IReputationRegistry
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count) {
        if (clientAddress == address(0)) {
            address[] storage clients = _clients[agentId];
            for (uint256 i = 0; i < clients.length; ++i) count += _responsesOfClient(agentId, clients[i], responders);
        } else if (feedbackIndex == 0) {
            count = _responsesOfClient(agentId, clientAddress, responders);
        } else {
            count = _responsesTo(agentId, clientAddress, feedbackIndex, responders);
        }
    }

    /// @inheritdoc IReputationRegistry
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    /// @inheritdoc IReputationRegistry
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    // ---------------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------------

    /// @dev Emits NewFeedback from the stored entry (keeps giveFeedback's stack shallow).
    function _emitNewFeedback(
        uint256 agentId,
        uint64 index,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) private {
        Feedback storage fb = _feedback[agentId][msg.sender][index];
        string memory tag1 = fb.tag1;
        emit NewFeedback(
            agentId,
            msg.sender,
            index,
            fb.value,
            fb.valueDecimals,
            tag1,
            tag1,
            fb.tag2,
            endpoint,
            feedbackURI,
            feedbackHash
        );
    }

    function _requireRegistered(uint256 agentId) private view {
        // The registry's own ownerOf reverts for unknown ids; translate that into this registry's error.
        try _identityRegistry.ownerOf(agentId) returns (address owner) {
            if (owner == address(0)) revert AgentNotRegistered(agentId);
        } catch {
            revert AgentNotRegistered(agentId);
        }
    }

    function _existing(uint256 agentId, address client, uint64 index) private view returns (Feedback storage) {
        if (index == 0 || index > _lastIndex[agentId][client]) revert FeedbackNotFound(agentId, client, index);
        return _feedback[agentId][client][index];
    }

    /// @dev An empty tag filters nothing (hash 0); otherwise the tag's keccak256.
    function _filterHash(string memory tag) private pure returns (bytes32) {
        return bytes(tag).length == 0 ? bytes32(0) : keccak256(bytes(tag));
    }

    function _matches(Feedback storage fb, bytes32 tag1Hash, bytes32 tag2Hash) private view returns (bool) {
        return
            (tag1Hash == bytes32(0) || keccak256(bytes(fb.tag1)) == tag1Hash) &&
            (tag2Hash == bytes32(0) || keccak256(bytes(fb.tag2)) == tag2Hash);
    }

    function _seenBefore(address[] memory list, uint256 i) private pure returns (bool) {
        for (uint256 j = 0; j < i; ++j) if (list[j] == list[i]) return true;
        return false;
    }

    function _tallyClients(
        uint256 agentId,
        address[] memory clients,
        bytes32 tag1Hash,
        bytes32 tag2Hash
    ) private view returns (Tally memory tally) {
        for (uint256 i = 0; i < clients.length; ++i) {
            if (!_seenBefore(clients, i)) _tally(tally, agentId, clients[i], tag1Hash, tag2Hash);
        }
    }

    /// @dev Average at 18 decimals (rounded toward zero), rescaled to the most common decimals (smallest on a
    /// tie), or to fewer decimals when the average would exceed 1e38 units at that precision.
    function _summarize(
        Tally memory tally
    ) private pure returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals) {
        count = tally.count;
        if (count == 0) return (0, 0, 0);
        for (uint8 d = 1; d <= MAX_VALUE_DECIMALS; ++d) {
            if (tally.decimalsSeen[d] > tally.decimalsSeen[summaryValueDecimals]) summaryValueDecimals = d;
        }
        int256 averageWad = tally.sumWad / int256(uint256(count));
        int256 rescaled = averageWad / int256(10 ** (MAX_VALUE_DECIMALS - summaryValueDecimals));
        // Large values at few decimals averaged with entries at many decimals can overflow the mode's
        // precision; drop decimals until the value is back within +-1e38. At 0 decimals it always is, since
        // every entry is within +-1e38 units.
        while (rescaled > MAX_ABS_VALUE || rescaled < -MAX_ABS_VALUE) {
            --summaryValueDecimals;
            rescaled = averageWad / int256(10 ** (MAX_VALUE_DECIMALS - summaryValueDecimals));
        }
        summaryValue = int128(rescaled);
    }

    function _tally(
        Tally memory tally,
        uint256 agentId,
        address client,
        bytes32 tag1Hash,
        bytes32 tag2Hash
    ) private view {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= last; ++j) {
            Feedback storage fb = _feedback[agentId][client][j];
            if (fb.isRevoked || !_matches(fb, tag1Hash, tag2Hash)) continue;
            tally.sumWad += int256(fb.value) * int256(10 ** (MAX_VALUE_DECIMALS - fb.valueDecimals));
            ++tally.decimalsSeen[fb.valueDecimals];
            ++tally.count;
        }
    }

    /// @dev Two passes over the matching entries: count, allocate, then fill.
    function _collect(
        uint256 agentId,
        address[] memory clients,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    ) private view returns (FeedbackList memory list) {
        if (clients.length == 0) clients = _clients[agentId];
        Filter memory filter = Filter(_filterHash(tag1), _filterHash(tag2), includeRevoked);
        uint256 total = 0;
        for (uint256 i = 0; i < clients.length; ++i) {
            if (!_seenBefore(clients, i)) total = _visit(list, total, false, agentId, clients[i], filter);
        }
        list = _allocate(total);
        uint256 n = 0;
        for (uint256 i = 0; i < clients.length; ++i) {
            if (!_seenBefore(clients, i)) n = _visit(list, n, true, agentId, clients[i], filter);
        }
    }

    /// @dev Walks one client's entries; counts matches from `n` and writes them into `list` when `write`.
    function _visit(
        FeedbackList memory list,
        uint256 n,
        bool write,
        uint256 agentId,
        address client,
        Filter memory filter
    ) private view returns (uint256) {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= last; ++j) {
            Feedback storage fb = _feedback[agentId][client][j];
            if ((fb.isRevoked && !filter.includeRevoked) || !_matches(fb, filter.tag1Hash, filter.tag2Hash)) continue;
            if (write) _write(list, n, client, j, fb);
            ++n;
        }
        return n;
    }

    function _allocate(uint256 n) private pure returns (FeedbackList memory list) {
        list.clients = new address[](n);
        list.feedbackIndexes = new uint64[](n);
        list.values = new int128[](n);
        list.valueDecimals = new uint8[](n);
        list.tag1s = new string[](n);
        list.tag2s = new string[](n);
        list.revokedStatuses = new bool[](n);
    }

    function _write(
        FeedbackList memory list,
        uint256 n,
        address client,
        uint64 index,
        Feedback storage fb
    ) private view {
        list.clients[n] = client;
        list.feedbackIndexes[n] = index;
        list.values[n] = fb.value;
        list.valueDecimals[n] = fb.valueDecimals;
        list.tag1s[n] = fb.tag1;
        list.tag2s[n] = fb.tag2;
        list.revokedStatuses[n] = fb.isRevoked;
    }

    function _responsesOfClient(
        uint256 agentId,
        address client,
        address[] calldata responders
    ) private view returns (uint64 count) {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= last; ++j) count += _responsesTo(agentId, client, j, responders);
    }

    function _responsesTo(
        uint256 agentId,
        address client,
        uint64 index,
        address[] calldata responders
    ) private view returns (uint64 count) {
        mapping(address responder => uint64) storage counts = _responseCount[agentId][client][index];
        if (responders.length == 0) {
            address[] storage all = _responders[agentId][client][index];
            for (uint256 k = 0; k < all.length; ++k) count += counts[all[k]];
        } else {
            for (uint256 k = 0; k < responders.length; ++k) count += counts[responders[k]];
        }
    }
}
