module top;
  initial begin
    $display("Hello from top");
    $finish;
  end
endmodule
