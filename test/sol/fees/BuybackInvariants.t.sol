// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {BuybackReleaser} from "../../../contracts/fees/BuybackReleaser.sol";
import {FeeJar} from "../../../contracts/fees/FeeJar.sol";
import {IBurnableToken} from "../../../contracts/interfaces/IBurnableToken.sol";
import {BurnableEigen, FeeToken} from "./FeesBase.sol";

/// @notice Drives the jar and the fixed-price releaser with random fee payments, releases (right and stale
/// nonces) and threshold changes, and keeps the books a correct system must match.
contract BuybackHandler is Test {
    BurnableEigen public eigen;
    FeeToken public usdc;
    FeeJar public jar;
    BuybackReleaser public firepit;
    address public governance;
    address[] internal searchers;

    uint256 public ghostBurned;
    uint256 public ghostPaidIn;
    uint256 public ghostPaidOut;
    uint256 public ghostNonceMoves;

    constructor(BurnableEigen eigen_, FeeToken usdc_, FeeJar jar_, BuybackReleaser firepit_, address governance_) {
        (eigen, usdc, jar, firepit, governance) = (eigen_, usdc_, jar_, firepit_, governance_);
        for (uint256 i = 0; i < 3; ++i) searchers.push(makeAddr(string.concat("searcher", vm.toString(i))));
    }

    function searcherAt(uint256 i) external view returns (address) {
        return searchers[i];
    }

    function payFee(uint256 amount) external {
        amount = bound(amount, 1, 1e24);
        usdc.transfer(address(jar), amount);
        ghostPaidIn += amount;
    }

    function release(uint256 who, bool staleNonce) external {
        address s = searchers[who % searchers.length];
        uint256 n = firepit.nonce();
        if (staleNonce && n == 0) return;
        address[] memory assets = new address[](1);
        assets[0] = address(usdc);
        uint256 jarBalance = usdc.balanceOf(address(jar));
        uint256 price = firepit.threshold();
        vm.prank(s);
        try firepit.release(staleNonce ? n - 1 : n, assets, s) returns (uint256 burned) {
            assertFalse(staleNonce, "a stale nonce released");
            assertEq(burned, price);
            ghostBurned += burned;
            ghostPaidOut += jarBalance;
            ++ghostNonceMoves;
        } catch {
            assertTrue(staleNonce || eigen.balanceOf(s) < price, "a valid release failed");
        }
    }

    function setThreshold(uint256 t) external {
        t = bound(t, 1, 10_000 ether);
        vm.prank(governance);
        firepit.setThreshold(t);
        ++ghostNonceMoves;
    }
}

contract BuybackInvariantTest is Test {
    BurnableEigen internal eigen;
    FeeToken internal usdc;
    FeeJar internal jar;
    BuybackReleaser internal firepit;
    BuybackHandler internal handler;
    uint256 internal constant SUPPLY = 10_000_000 ether;

    function setUp() public {
        address governance = makeAddr("governance");
        eigen = new BurnableEigen(address(this), SUPPLY);
        jar = new FeeJar(governance, address(0));
        firepit = new BuybackReleaser(governance, jar, IBurnableToken(address(eigen)), 1000 ether);
        vm.prank(governance);
        jar.setReleaser(address(firepit));
        usdc = new FeeToken("USDC", address(this), 1e40);
        handler = new BuybackHandler(eigen, usdc, jar, firepit, governance);
        usdc.transfer(address(handler), 1e40);
        for (uint256 i = 0; i < 3; ++i) {
            address s = handler.searcherAt(i);
            eigen.transfer(s, 1_000_000 ether);
            vm.prank(s);
            eigen.approve(address(firepit), type(uint256).max);
        }
        targetContract(address(handler));
    }

    function invariant_everyBurnShrinksEigenSupply() public view {
        assertEq(eigen.totalSupply(), SUPPLY - handler.ghostBurned());
    }

    function invariant_jarHoldsExactlyWhatWasPaidInAndNotReleased() public view {
        assertEq(usdc.balanceOf(address(jar)), handler.ghostPaidIn() - handler.ghostPaidOut());
    }

    function invariant_nonceCountsSalesAndPriceChanges() public view {
        assertEq(firepit.nonce(), handler.ghostNonceMoves());
    }
}
