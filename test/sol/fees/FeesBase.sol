// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

import {IBurnableToken} from "../../../contracts/interfaces/IBurnableToken.sol";
import {FeeJar} from "../../../contracts/fees/FeeJar.sol";

/// @notice A plain OpenZeppelin ERC20Burnable token standing in for EIGEN: the releasers need nothing more.
contract BurnableEigen is ERC20, ERC20Burnable {
    constructor(address holder, uint256 supply) ERC20("Eigen", "EIGEN") {
        _mint(holder, supply);
    }
}

/// @notice A plain OpenZeppelin ERC20 for fee tokens.
contract FeeToken is ERC20 {
    constructor(string memory name, address holder, uint256 supply) ERC20(name, name) {
        _mint(holder, supply);
    }
}

/// @notice Rejects ETH, to check that a failed ETH payout reverts the whole release.
contract NoEthReceiver {}

abstract contract FeesBase is Test {
    address internal governance = makeAddr("governance");
    address internal searcher = makeAddr("searcher");
    address internal rival = makeAddr("rival");
    address internal payer = makeAddr("payer");

    BurnableEigen internal eigen;
    FeeToken internal usdc;
    FeeToken internal weth;
    FeeJar internal jar;

    uint256 internal constant EIGEN_SUPPLY = 1_000_000 ether;

    function _deployTokensAndJar() internal {
        eigen = new BurnableEigen(address(this), EIGEN_SUPPLY);
        usdc = new FeeToken("USDC", payer, 1e30);
        weth = new FeeToken("WETH", payer, 1e30);
        jar = new FeeJar(governance, address(0));
        eigen.transfer(searcher, 100_000 ether);
        eigen.transfer(rival, 100_000 ether);
    }

    function _fillJar(uint256 eth, uint256 usdcAmount, uint256 wethAmount) internal {
        vm.deal(payer, payer.balance + eth);
        vm.startPrank(payer);
        (bool ok, ) = address(jar).call{value: eth}("");
        assertTrue(ok);
        usdc.transfer(address(jar), usdcAmount);
        weth.transfer(address(jar), wethAmount);
        vm.stopPrank();
    }

    function _assets3() internal view returns (address[] memory assets) {
        assets = new address[](3);
        assets[0] = address(0);
        assets[1] = address(usdc);
        assets[2] = address(weth);
    }

    function _burnable() internal view returns (IBurnableToken) {
        return IBurnableToken(address(eigen));
    }
}
