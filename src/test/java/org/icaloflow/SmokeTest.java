package org.icaloflow;
import ai.djl.ndarray.*;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;
class SmokeTest {
  @Test void djlWorks() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[]{1,2,3});
      assertEquals(6f, a.sum().getFloat(), 1e-6);
      System.out.println(m.getEngine().getEngineName() + " " + m.getDevice());
    }
  }
}
