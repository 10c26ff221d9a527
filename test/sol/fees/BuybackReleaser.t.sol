// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {IBuybackReleaser} from "../../../contracts/interfaces/IBuybackReleaser.sol";
import {IFeeJar} from "../../../contracts/interfaces/IFeeJar.sol";
import {IReleaser} from "../../../contracts/interfaces/IReleaser.sol";
import {IBurnableToken} from "../../../contracts/interfaces/IBurnableToken.sol";
import {BuybackReleaser} from "../../../contracts/fees/BuybackReleaser.sol";
import {FeesBase} from "./FeesBase.sol";

contract BuybackReleaserTest is FeesBase {
    uint256 internal constant THRESHOLD = 4000 ether;
    BuybackReleaser internal firepit;
    address internal recipient = makeAddr("recipient");

    function setUp() public {
        _deployTokensAndJar();
        firepit = new BuybackReleaser(governance, jar, _burnable(), THRESHOLD);
        vm.prank(governance);
        jar.setReleaser(address(firepit));
        _fillJar(5 ether, 1000e6, 3 ether);
        vm.prank(searcher);
        eigen.approve(address(firepit), type(uint256).max);
        vm.prank(rival);
        eigen.approve(address(firepit), type(uint256).max);
    }

    function test_burningThresholdReleasesEthAndTokens() public {
        vm.prank(searcher);
        uint256 burned = firepit.release(0, _assets3(), recipient);
        assertEq(burned, THRESHOLD);
        assertEq(recipient.balance, 5 ether);
        assertEq(usdc.balanceOf(recipient), 1000e6);
        assertEq(weth.balanceOf(recipient), 3 ether);
        assertEq(jar.balanceOf(address(0)), 0);
        assertEq(jar.balanceOf(address(usdc)), 0);
        assertEq(jar.balanceOf(address(weth)), 0);
    }

    function test_burnedEigenReducesTotalSupply() public {
        uint256 supplyBefore = eigen.totalSupply();
        uint256 balanceBefore = eigen.balanceOf(searcher);
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);
        assertEq(eigen.totalSupply(), supplyBefore - THRESHOLD);
        assertEq(eigen.balanceOf(searcher), balanceBefore - THRESHOLD);
        assertEq(eigen.balanceOf(address(firepit)), 0);
    }

    function test_releaseEmitsNonceBuyerRecipientAndAssets() public {
        address[] memory assets = _assets3();
        vm.expectEmit(address(firepit));
        emit IReleaser.Released(0, searcher, recipient, THRESHOLD, assets);
        vm.prank(searcher);
        firepit.release(0, assets, recipient);
        assertEq(firepit.nonce(), 1);
    }

    function test_frontRunRelease_makesTheVictimsNonceStale() public {
        // Both searchers priced the jar at nonce 0; the rival's transaction lands first.
        vm.prank(rival);
        firepit.release(0, _assets3(), rival);
        uint256 searcherEigen = eigen.balanceOf(searcher);
        vm.expectRevert(abi.encodeWithSelector(IReleaser.InvalidNonce.selector, 1, 0));
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);
        // The victim burned nothing for the empty jar.
        assertEq(eigen.balanceOf(searcher), searcherEigen);
    }

    function testFuzz_anyNonceButCurrentReverts(uint256 given) public {
        vm.assume(given != 0);
        vm.expectRevert(abi.encodeWithSelector(IReleaser.InvalidNonce.selector, 0, given));
        vm.prank(searcher);
        firepit.release(given, _assets3(), searcher);
    }

    function test_thresholdChange_appliesToNextReleaseAndBumpsNonce() public {
        vm.expectEmit(address(firepit));
        emit IBuybackReleaser.ThresholdSet(THRESHOLD, 1000 ether, 1);
        vm.prank(governance);
        firepit.setThreshold(1000 ether);
        assertEq(firepit.threshold(), 1000 ether);
        assertEq(firepit.currentPrice(), 1000 ether);
        assertEq(firepit.nonce(), 1);

        // A searcher who signed against the old price (nonce 0) cannot be charged the new one.
        vm.expectRevert(abi.encodeWithSelector(IReleaser.InvalidNonce.selector, 1, 0));
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);

        uint256 supplyBefore = eigen.totalSupply();
        vm.prank(searcher);
        assertEq(firepit.release(1, _assets3(), searcher), 1000 ether);
        assertEq(eigen.totalSupply(), supplyBefore - 1000 ether);
    }

    function test_onlyGovernanceSetsThreshold() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, searcher));
        vm.prank(searcher);
        firepit.setThreshold(1);
    }

    function test_zeroThresholdReverts() public {
        vm.expectRevert(IBuybackReleaser.ThresholdZero.selector);
        vm.prank(governance);
        firepit.setThreshold(0);
        vm.expectRevert(IBuybackReleaser.ThresholdZero.selector);
        new BuybackReleaser(governance, jar, _burnable(), 0);
    }

    function test_zeroAddressesInConstructorRevert() public {
        vm.expectRevert(IReleaser.InputAddressZero.selector);
        new BuybackReleaser(governance, IFeeJar(address(0)), _burnable(), 1);
        vm.expectRevert(IReleaser.InputAddressZero.selector);
        new BuybackReleaser(governance, jar, IBurnableToken(address(0)), 1);
    }

    function test_releaseWithoutAssetsReverts() public {
        vm.expectRevert(IReleaser.NoAssets.selector);
        vm.prank(searcher);
        firepit.release(0, new address[](0), searcher);
    }

    function test_releaseOfMoreThanMaxAssetsReverts() public {
        address[] memory assets = new address[](21);
        vm.expectRevert(abi.encodeWithSelector(IReleaser.TooManyAssets.selector, 21, 20));
        vm.prank(searcher);
        firepit.release(0, assets, searcher);
    }

    function test_buyerWithoutEnoughEigenGetsNothing() public {
        address poor = makeAddr("poor");
        eigen.transfer(poor, THRESHOLD - 1);
        vm.startPrank(poor);
        eigen.approve(address(firepit), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, poor, THRESHOLD - 1, THRESHOLD)
        );
        firepit.release(0, _assets3(), poor);
        vm.stopPrank();
        assertEq(jar.balanceOf(address(0)), 5 ether);
    }

    function test_buyerWithoutAllowanceGetsNothing() public {
        vm.prank(searcher);
        eigen.approve(address(firepit), THRESHOLD - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(firepit),
                THRESHOLD - 1,
                THRESHOLD
            )
        );
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);
    }

    function test_releaserThatIsNotTheJarsReleaserReverts() public {
        vm.prank(governance);
        jar.setReleaser(address(0));
        vm.expectRevert(abi.encodeWithSelector(IFeeJar.OnlyReleaser.selector, address(firepit), address(0)));
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);
    }

    function test_jarRefilledBetweenReleasesSellsAgainAtNextNonce() public {
        vm.prank(searcher);
        firepit.release(0, _assets3(), searcher);
        _fillJar(1 ether, 0, 0);
        address[] memory eth = new address[](1);
        vm.prank(rival);
        firepit.release(1, eth, rival);
        assertEq(rival.balance, 1 ether);
        assertEq(firepit.nonce(), 2);
    }
}
