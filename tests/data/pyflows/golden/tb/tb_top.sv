module tb_top;
  top u_top();
endmodule
