// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManagerErrors} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

/// @notice The issue-3 example: 3 operators with 100 tokens each allocate 10%, 10% and 20% to one set.
contract UniqueStakeTest is RestakingTestBase {
    address internal op1 = makeAddr("op1");
    address internal op2 = makeAddr("op2");
    address internal op3 = makeAddr("op3");

    function setUp() public override {
        super.setUp();
        _createSet(1, _strategies(strategy), true);
        _createSet(2, _strategies(strategy), false);
        _operatorInSet(op1, 100e18, 1, 0.1e18);
        _operatorInSet(op2, 100e18, 1, 0.1e18);
        _operatorInSet(op3, 100e18, 1, 0.2e18);
    }

    function _ops() internal view returns (address[] memory ops) {
        ops = new address[](3);
        (ops[0], ops[1], ops[2]) = (op1, op2, op3);
    }

    function _setStake(uint32 id) internal view returns (uint256 total) {
        uint256[][] memory stake = am.getMinimumSlashableStake(
            _set(id),
            _ops(),
            _strategies(strategy),
            uint32(block.number)
        );
        for (uint256 i = 0; i < stake.length; ++i) {
            total += stake[i][0];
        }
    }

    function test_exampleSetUniqueSlashableStakeIs40Tokens() public view {
        assertEq(_setStake(1), 40e18);
        uint256[][] memory allocated = am.getAllocatedStake(_set(1), _ops(), _strategies(strategy));
        assertEq(allocated[0][0], 10e18);
        assertEq(allocated[1][0], 10e18);
        assertEq(allocated[2][0], 20e18);
    }

    function test_exampleNoOtherSetCanClaimThe40Tokens() public {
        // Another set can take at most what is left: 90 + 90 + 80 = 260 tokens.
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.InsufficientMagnitude.selector, uint64(1.1e18), WAD)
        );
        _allocate(op1, 2, strategy, 1e18);
        _allocate(op1, 2, strategy, 0.9e18);
        _allocate(op2, 2, strategy, 0.9e18);
        _allocate(op3, 2, strategy, 0.8e18);
        _registerForSet(op1, 2);
        _registerForSet(op2, 2);
        _registerForSet(op3, 2);
        assertEq(_setStake(2), 260e18);
        assertEq(_setStake(1) + _setStake(2), 300e18, "sets together never exceed the total stake");

        // Set 2 slashes everything it can: set 1 keeps exactly its 40 tokens.
        _slash(op1, 2, strategy, WAD);
        _slash(op2, 2, strategy, WAD);
        _slash(op3, 2, strategy, WAD);
        assertEq(_setStake(2), 0);
        assertEq(_setStake(1), 40e18);
    }
}
